import { Logger } from '@nestjs/common';
import { currentWindow, WindowCounter } from './window-counter';

export interface RateDecision {
  allowed: boolean;
  /** When refused: seconds until the window ends. */
  retryAfterSeconds: number;
}

interface KeyState {
  window: number;
  /** The shared total as Redis last reported it (this replica's synced admissions included). */
  sharedTotal: number;
  /** Admitted here since the last sync. */
  unsynced: number;
}

/**
 * A per-key limit per fixed window, decided in process memory without a round trip, and
 * reconciled with the shared counter every `syncMs`: each sync adds this replica's admissions and
 * reads everyone's. Across replicas the limit can be overshot by what the other replicas admit
 * within two sync intervals (their unsynced admissions plus this replica's stale view); a replica
 * that cannot reach the counter keeps deciding on what it knows.
 */
export class SharedRateLimiter {
  private readonly logger = new Logger(SharedRateLimiter.name);
  private readonly keys = new Map<string, KeyState>();
  private readonly timer: NodeJS.Timeout;
  private syncing = false;

  constructor(
    private readonly counter: WindowCounter,
    private readonly limit: number,
    private readonly windowMs: number,
    syncMs: number,
  ) {
    this.timer = setInterval(() => void this.sync(), syncMs);
    this.timer.unref();
  }

  take(key: string): RateDecision {
    const { index, resetInMs } = currentWindow(this.windowMs);
    let state = this.keys.get(key);
    if (!state || state.window !== index) {
      state = { window: index, sharedTotal: 0, unsynced: 0 };
      this.keys.set(key, state);
    }
    if (state.sharedTotal + state.unsynced >= this.limit)
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
    state.unsynced += 1;
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /** Pushes this replica's admissions and reads the shared totals of every key seen this window. */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const { index } = currentWindow(this.windowMs);
      for (const [key, state] of this.keys) {
        if (state.window !== index) {
          this.keys.delete(key);
          continue;
        }
        const pushed = state.unsynced;
        const { total } = await this.counter.add(key, pushed, this.windowMs);
        state.unsynced -= pushed;
        state.sharedTotal = total;
      }
    } catch (error) {
      this.logger.debug(`Rate counters not reconciled (${(error as Error).message}); deciding locally meanwhile`);
    } finally {
      this.syncing = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
