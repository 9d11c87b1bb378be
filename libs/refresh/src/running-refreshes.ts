/** How long shutdown waits for running refreshes to finish and persist, as the scheduler's own wait. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * The refreshes running in this process, whoever started them (the scheduler, a caller, an admin
 * write), so that shutdown can let them finish: one that has sent a single-use refresh token
 * upstream must commit the rotated one before the process ends.
 */
export class RunningRefreshes {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(refresh: Promise<T>): Promise<T> {
    this.running.add(refresh);
    const settled = () => void this.running.delete(refresh);
    refresh.then(settled, settled);
    return refresh;
  }

  /** Resolves once every tracked refresh has settled, or after SHUTDOWN_WAIT_MS. */
  async settled(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)));
    await Promise.race([Promise.allSettled(this.running), waited]);
    clearTimeout(timer);
  }
}
