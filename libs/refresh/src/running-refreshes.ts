import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** How long shutdown waits, all told, for running refreshes to finish and persist. */
const SHUTDOWN_WAIT_MS = 10_000;

/** What shutdown waited for, and whether it all finished before the deadline. */
export interface SettledRefreshes {
  /**
   * Finished: every provider whose refresh the wait saw, running when it began or started before
   * it ended. Given up: those still running.
   */
  inFlight: string[];
  finished: boolean;
}

/**
 * The refreshes running in this process, whoever started them (the scheduler, a caller, an admin
 * write), so that shutdown can let them finish: one that has sent a single-use refresh token
 * upstream must commit the rotated one before the process ends. Every wait shares one deadline, set
 * by the first, so the scheduler's wait (for its checks, then these) and this one's own shutdown
 * hook, which runs after it (RefreshModule is global, so Nest shuts it down last), add up to
 * SHUTDOWN_WAIT_MS at most.
 */
@Injectable()
export class RunningRefreshes implements BeforeApplicationShutdown {
  private readonly running = new Map<Promise<unknown>, string>();
  /** The providers each wait under way has seen: a refresh started meanwhile is named too. */
  private readonly waits = new Set<Set<string>>();
  private deadline?: number;

  track<T>(provider: string, refresh: Promise<T>): Promise<T> {
    this.running.set(refresh, provider);
    for (const seen of this.waits) seen.add(provider);
    const settled = () => void this.running.delete(refresh);
    refresh.then(settled, settled);
    return refresh;
  }

  /**
   * Resolves once `first` has settled and then every refresh running by then, those it started
   * included, or at the shared deadline, whichever comes first.
   */
  async settled(first: Promise<unknown> = Promise.resolve()): Promise<SettledRefreshes> {
    const seen = new Set(this.running.values());
    this.waits.add(seen);
    const deadline = (this.deadline ??= Date.now() + SHUTDOWN_WAIT_MS);
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<false>((resolve) => (timer = setTimeout(resolve, deadline - Date.now(), false)));
    const allDone = Promise.allSettled([first])
      .then(() => this.untilNoneRunning())
      .then(() => true as const);
    try {
      const finished = await Promise.race([allDone, timeUp]);
      return { inFlight: finished ? [...seen] : [...new Set(this.running.values())], finished };
    } finally {
      clearTimeout(timer);
      this.waits.delete(seen);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  private async untilNoneRunning(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled(this.running.keys());
  }
}
