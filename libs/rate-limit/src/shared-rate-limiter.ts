import { Logger } from '@nestjs/common';
import { currentWindow, MemberAmount, WindowCounter } from './window-counter';

export interface RateDecision {
  allowed: boolean;
  /** When refused: seconds until the window ends. */
  retryAfterSeconds: number;
}

interface MemberState {
  window: number;
  /** The shared total as Redis last reported it (this replica's synced admissions included). */
  sharedTotal: number;
  /** Admitted here since the last sync. */
  unsynced: number;
}

/**
 * A per-member limit per fixed window, decided in process memory without a round trip, and
 * reconciled with the shared counter every `syncMs`: each sync adds this replica's admissions and
 * reads everyone's, for every member at once in one round trip (not one per member: with a
 * thousand callers, a round trip each took longer than many sync intervals). Across replicas the
 * limit can be overshot by what the other replicas admit within two sync intervals (their unsynced
 * admissions plus this replica's stale view); a replica that cannot reach the counter keeps
 * deciding on what it knows, and pushes its admissions once it can.
 */
export class SharedRateLimiter {
  private readonly logger = new Logger(SharedRateLimiter.name);
  private readonly members = new Map<string, MemberState>();
  private readonly timer: NodeJS.Timeout;
  private syncing = false;

  constructor(
    private readonly counter: WindowCounter,
    /** Names the shared counters: replicas limiting the same scope share them. */
    private readonly scope: string,
    private readonly limit: number,
    private readonly windowMs: number,
    syncMs: number,
  ) {
    this.timer = setInterval(() => void this.sync(), syncMs);
    this.timer.unref();
  }

  take(member: string): RateDecision {
    const { index, resetInMs } = currentWindow(this.windowMs);
    let state = this.members.get(member);
    if (!state || state.window !== index) {
      state = { window: index, sharedTotal: 0, unsynced: 0 };
      this.members.set(member, state);
    }
    if (state.sharedTotal + state.unsynced >= this.limit)
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
    state.unsynced += 1;
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /** Pushes this replica's admissions and reads the shared totals of every member seen this window. */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const { index } = currentWindow(this.windowMs);
      const states: MemberState[] = [];
      const amounts: MemberAmount[] = [];
      for (const [member, state] of this.members) {
        if (state.window !== index) {
          this.members.delete(member);
          continue;
        }
        states.push(state);
        amounts.push([member, state.unsynced]);
      }
      if (amounts.length === 0) return;
      const totals = await this.counter.addAll(this.scope, amounts, this.windowMs, index);
      states.forEach((state, i) => {
        state.unsynced -= amounts[i][1];
        state.sharedTotal = totals[i];
      });
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
