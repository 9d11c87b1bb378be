import type { RefreshBefore } from '@app/config';
import type { StoredToken } from '@app/token-store';

/** The pre-refresh window: refresh when less than this much lifetime is left. Capped at half the lifetime. */
export function refreshWindowMs(token: Pick<StoredToken, 'expiresAt' | 'obtainedAt'>, refreshBefore: RefreshBefore): number {
  const lifetime = Math.max(0, token.expiresAt - token.obtainedAt);
  const wanted = refreshBefore.kind === 'percent' ? (lifetime * refreshBefore.value) / 100 : refreshBefore.value * 1000;
  return Math.min(wanted, lifetime / 2);
}

/**
 * When this replica should start a pre-refresh: the window start, moved earlier by up to 10% of
 * the window at random so providers (and replicas) don't refresh in lockstep.
 */
export function refreshDueAt(
  token: Pick<StoredToken, 'expiresAt' | 'obtainedAt'>,
  refreshBefore: RefreshBefore,
  random = Math.random(),
): number {
  const window = refreshWindowMs(token, refreshBefore);
  return token.expiresAt - window - window * 0.1 * random;
}

/** Exponential backoff after consecutive transient failures: 1 s, 2 s, 4 s ... capped at 5 min. */
export function backoffMs(consecutiveFailures: number): number {
  return Math.min(1000 * 2 ** Math.max(0, consecutiveFailures - 1), 300_000);
}
