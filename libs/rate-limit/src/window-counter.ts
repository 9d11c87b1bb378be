import { Inject } from '@nestjs/common';

/** A counter's state in the current fixed window. */
export interface WindowCount {
  total: number;
  /** Until the window ends. */
  resetInMs: number;
}

/**
 * Fixed-window counters shared by every replica (Redis) or within this process (embedded mode).
 * Windows are aligned to multiples of `windowMs` since the epoch, so replicas agree on them without
 * talking to each other. The one counting primitive behind both the upstream rate limit and the
 * per-caller limit.
 */
export interface WindowCounter {
  /** Adds `amount` (0 reads) to `key`'s current window; the key must carry its own hash tag. */
  add(key: string, amount: number, windowMs: number): Promise<WindowCount>;
  /**
   * Adds each member's amount (0 reads) to its count in `scope`'s window number `windowIndex` (the
   * one the amounts were counted in, which may have just ended), and answers the totals in the same
   * order: one round trip for all of them, however many members there are.
   */
  addAll(scope: string, amounts: ReadonlyArray<MemberAmount>, windowMs: number, windowIndex: number): Promise<number[]>;
}

export type MemberAmount = readonly [member: string, amount: number];

export const WINDOW_COUNTER = Symbol('WINDOW_COUNTER');
export const InjectWindowCounter = (): ParameterDecorator => Inject(WINDOW_COUNTER);

export function currentWindow(windowMs: number, now = Date.now()): { index: number; resetInMs: number } {
  const index = Math.floor(now / windowMs);
  return { index, resetInMs: msLeftIn(index, windowMs, now) };
}

/** Until window `index` ends; 0 once it has. */
export function msLeftIn(index: number, windowMs: number, now = Date.now()): number {
  return Math.max(0, (index + 1) * windowMs - now);
}
