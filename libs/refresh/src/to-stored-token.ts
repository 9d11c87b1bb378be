import type { IssuedToken } from '@app/providers';
import type { StoredToken } from '@app/token-store';

/**
 * Only the fields the token store keeps: a provider's issued token may carry more (credentials to
 * rotate). Called once the token is ready to hand out, which stamps `readyAt`.
 */
export function toStoredToken(issued: IssuedToken, obtainedAt: number, fence: number): StoredToken {
  return {
    accessToken: issued.accessToken,
    tokenType: issued.tokenType,
    expiresAt: issued.expiresAt,
    state: issued.state,
    obtainedAt,
    readyAt: Date.now(),
    fence,
  };
}
