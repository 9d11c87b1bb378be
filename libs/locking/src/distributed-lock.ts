import { Inject } from '@nestjs/common';

/** What a lock holder gets. */
export interface HeldLock {
  /**
   * Aborted when the lock could not be extended. A holder should not *start* work after that;
   * work already committed elsewhere (a claimed refresh) must finish, since the lock never was
   * the safety guarantee.
   */
  readonly signal: AbortSignal;
}

/**
 * One holder's lock. The AbortController is made only when the signal is read or the lock is lost:
 * plain grants never read it, and one per refresh was the largest share of what a busy
 * scheduler left in the old generation.
 */
export class LockHold implements HeldLock {
  private controller?: AbortController;

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  lose(reason: Error): void {
    (this.controller ??= new AbortController()).abort(reason);
  }
}

export interface LockOptions {
  /** How long to wait for a busy lock; 0 tries once. Throws LockUnavailableError when it runs out. */
  waitMs: number;
}

/**
 * Mutual exclusion per resource across replicas, used to avoid duplicate upstream calls. It is not
 * the safety guarantee for single-use credentials: that is the credential store's check-and-set.
 */
export interface DistributedLock {
  readonly description: string;
  /** Runs `fn` holding the lock, extending it while `fn` runs, and releases it in `finally`. */
  withLock<T>(resource: string, ttlMs: number, fn: (lock: HeldLock) => Promise<T>, options: LockOptions): Promise<T>;
  /**
   * Which of `resources` anyone (any replica) holds right now, in one command: for status display,
   * never for deciding to write.
   */
  heldAmong(resources: readonly string[]): Promise<Set<string>>;
}

export const DISTRIBUTED_LOCK = Symbol('DISTRIBUTED_LOCK');
export const InjectDistributedLock = (): ParameterDecorator => Inject(DISTRIBUTED_LOCK);
