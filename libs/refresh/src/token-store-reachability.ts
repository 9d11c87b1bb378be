import { TokenStoreUnreachableError } from '@app/errors';
import type { TokenStore } from '@app/token-store';

/** Throws at once while Redis is known to be away, saying what that means here (`consequence`). */
export function assertTokenStoreReachable(tokens: Pick<TokenStore, 'unreachableSince'>, consequence: string): void {
  const since = tokens.unreachableSince();
  if (since !== undefined) throw new TokenStoreUnreachableError(since, consequence);
}
