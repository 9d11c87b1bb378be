import { TtlUnattainableError } from '@app/errors';
import { BrokerMetrics } from '@app/metrics';
import type { ProviderInstance, ProviderRegistry } from '@app/providers';
import type { StoredToken, TokenStore } from '@app/token-store';
import type { TokenRefresher } from './token-refresher.service';
import { TokenService } from './token.service';

const DAY_MS = 86_400_000;

/** The store as a caller's request reads it: one stored token, Redis reachable. */
function storeHolding(token: StoredToken): TokenStore {
  return {
    peek: () => token,
    unreachableSince: () => undefined,
    lastKnown: () => token,
    getWithoutWaiting: () => Promise.resolve(token),
  } as unknown as TokenStore;
}

/** A TokenService whose store holds `token` and whose refreshes go to `refresh`. */
function serviceHolding(token: StoredToken, refresh: TokenRefresher['refresh']): TokenService {
  const registry = { get: (id: string) => ({ id }) as ProviderInstance } as unknown as ProviderRegistry;
  return new TokenService(
    { lockWaitMs: 1_000 },
    storeHolding(token),
    registry,
    { refresh } as unknown as TokenRefresher,
    new BrokerMetrics(),
  );
}

/**
 * A token's lifetime is counted from when its refresh began (`obtainedAt`), before the upstream was
 * asked: the credential read, the rate slot and, for rotating providers, the claim write come
 * between, and the commit comes after the answer (`readyAt`). A caller asking for more than a fresh
 * token gives must not send a refresh upstream per request for that work.
 */
describe('TokenService: minTtl equal to the lifetime', () => {
  it('answers 422 without refreshing when the lifetime exceeds the need only by the refresh work before the call', async () => {
    const askedAt = Date.now() - 1_000;
    const token: StoredToken = {
      accessToken: 'at',
      tokenType: 'Bearer',
      obtainedAt: askedAt - 3,
      readyAt: askedAt + 1,
      expiresAt: askedAt + DAY_MS,
      fence: 1,
    };
    const refresh = jest.fn(() => Promise.reject(new Error('must not refresh')));
    const tokens = serviceHolding(token, refresh);

    await expect(tokens.getToken('passport', DAY_MS / 1000)).rejects.toBeInstanceOf(TtlUnattainableError);
    expect(refresh).not.toHaveBeenCalled();
  });

  // a Vault taking 700 ms for a rotating provider's claim write: the 60 s token was answered 700 ms
  // after its refresh began, and committed 10 ms later
  const slowClaimToken = (ageMs = 1_000): StoredToken => {
    const began = Date.now() - ageMs;
    return { accessToken: 'at', tokenType: 'Bearer', obtainedAt: began, readyAt: began + 710, expiresAt: began + 60_700, fence: 1 };
  };

  it('answers 422 without refreshing when a slow claim write made the lifetime more than a fresh token gives', async () => {
    const refresh = jest.fn(() => Promise.reject(new Error('must not refresh')));
    const tokens = serviceHolding(slowClaimToken(), refresh);

    await expect(tokens.getToken('passolution', 60)).rejects.toThrow('live 59s when fresh; minTtl=60 can never be met');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('still refreshes after a slow claim write when a fresh token could meet the need', async () => {
    const fresh: StoredToken = { ...slowClaimToken(0), accessToken: 'fresh', fence: 2 };
    const refresh = jest.fn(() => Promise.resolve(fresh));
    const tokens = serviceHolding(slowClaimToken(10_000), refresh);

    await expect(tokens.getToken('passolution', 59)).resolves.toBe(fresh);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('still refreshes when a fresh token could meet the need: minTtl a second under the lifetime', async () => {
    const obtainedAt = Date.now() - 10_000;
    const token: StoredToken = { accessToken: 'at', tokenType: 'Bearer', obtainedAt, expiresAt: obtainedAt + DAY_MS, fence: 1 };
    const fresh: StoredToken = { ...token, accessToken: 'fresh', obtainedAt: Date.now(), expiresAt: Date.now() + DAY_MS, fence: 2 };
    const refresh = jest.fn(() => Promise.resolve(fresh));
    const tokens = serviceHolding(token, refresh);

    await expect(tokens.getToken('passport', DAY_MS / 1000 - 1)).resolves.toBe(fresh);
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
