import { Inject, Injectable } from '@nestjs/common';
import { LockUnavailableError, TokenStoreUnavailableError, TtlUnattainableError } from '@app/errors';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry, type ProviderInstance } from '@app/providers';
import { InjectTokenStore, type StoredToken, type TokenStore } from '@app/token-store';
import { TokenRefresher } from './token-refresher.service';
import { REFRESH_OPTIONS, type RefreshModuleOptions } from './refresh.module-definition';

/**
 * A token handed to a caller always has some life left, so it doesn't expire in flight: 5 s, or a
 * tenth of the lifetime for providers whose tokens live less than 50 s.
 */
const MIN_REMAINING_MS = 5_000;
const MIN_REMAINING_SHARE = 0.1;

/** Serves tokens to callers: from the shared store when valid, otherwise via one refresh per process. */
@Injectable()
export class TokenService {
  private readonly inFlight = new Map<string, { validUntil: number; redisAwaySince?: number; token: Promise<StoredToken> }>();
  /**
   * The last token this process served, read or obtained per provider: served only when Redis is
   * unreachable or another replica's refresh outlasts the lock wait, and only while it lasts.
   */
  private readonly lastKnown = new Map<string, StoredToken>();

  constructor(
    @Inject(REFRESH_OPTIONS) private readonly options: Pick<RefreshModuleOptions, 'lockWaitMs'>,
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly registry: ProviderRegistry,
    private readonly refresher: TokenRefresher,
    private readonly metrics: BrokerMetrics,
  ) {}

  /**
   * A token that stays valid at least `minTtlSeconds` (and never less than 5 s). One upstream call
   * per need: when the fresh answer cannot satisfy `minTtl` either, no second call is made (422).
   */
  async getToken(providerId: string, minTtlSeconds = 0): Promise<StoredToken> {
    const near = this.cachedToken(providerId, minTtlSeconds);
    if (near) return near;
    const instance = this.registry.get(providerId);
    const cached = await this.read(providerId, minTtlSeconds);
    if (cached) this.lastKnown.set(providerId, cached);
    if (cached && lasts(cached, minTtlSeconds)) {
      this.metrics.cacheLookups.inc({ provider: providerId, result: 'hit' });
      return cached;
    }
    this.metrics.cacheLookups.inc({ provider: providerId, result: 'miss' });
    const neededMs = Math.max(minTtlSeconds * 1000, safetyMarginMs(cached));
    if (cached) assertAttainable(cached, providerId, minTtlSeconds, neededMs);
    const fresh = await this.singleFlight(instance, Date.now() + neededMs).catch((error: unknown) =>
      this.lastKnownOr(providerId, minTtlSeconds, error),
    );
    if (minTtlSeconds > 0 && fresh.expiresAt - Date.now() < minTtlSeconds * 1000) {
      throw new TtlUnattainableError(providerId, minTtlSeconds, Math.floor(attainableMs(fresh) / 1000));
    }
    return fresh;
  }

  /**
   * This replica's near-cache copy when it lasts `minTtlSeconds`, without a promise: nearly every
   * answer is one, and the token route gives it without a microtask. Undefined otherwise: then
   * getToken reads the store or refreshes. Throws UnknownProviderError like getToken.
   */
  cachedToken(providerId: string, minTtlSeconds = 0): StoredToken | undefined {
    this.registry.get(providerId);
    const near = this.tokens.peek(providerId);
    if (!near || !lasts(near, minTtlSeconds)) return undefined;
    this.metrics.cacheLookups.inc({ provider: providerId, result: 'hit' });
    if (this.lastKnown.get(providerId) !== near) this.lastKnown.set(providerId, near);
    return near;
  }

  /** Refresh now, whatever the cached token's state (forced refresh, scheduler). */
  refreshNow(providerId: string, lockWaitMs = this.options.lockWaitMs): Promise<StoredToken> {
    const instance = this.registry.get(providerId);
    return this.refresher.refresh(instance, { validUntil: Number.POSITIVE_INFINITY, lockWaitMs });
  }

  /**
   * The shared token. While Redis is known to be away, the newest token this process knows, at
   * once: asking Redis would wait a failover's length first (README "When Redis is away").
   */
  private async read(providerId: string, minTtlSeconds: number): Promise<StoredToken | undefined> {
    if (this.tokens.unreachableSince() !== undefined) return newest(this.tokens.lastKnown(providerId), this.lastKnown.get(providerId));
    return this.tokens.getWithoutWaiting(providerId).catch((error: unknown) => this.lastKnownOr(providerId, minTtlSeconds, error));
  }

  /**
   * Redis being away, or another replica's refresh outlasting the lock wait, is not a reason to
   * refuse a token this process knows is still good for the caller.
   */
  private lastKnownOr(providerId: string, minTtlSeconds: number, error: unknown): StoredToken {
    const known = newest(this.tokens.lastKnown(providerId), this.lastKnown.get(providerId));
    const unavailable = error instanceof TokenStoreUnavailableError || error instanceof LockUnavailableError;
    if (unavailable && known && lasts(known, minTtlSeconds)) return known;
    throw error;
  }

  /**
   * Concurrent callers in this process share one refresh, if it aims at least as far as they need;
   * across processes the lock and the re-read under it de-duplicate.
   */
  private singleFlight(instance: ProviderInstance, validUntil: number): Promise<StoredToken> {
    const existing = this.inFlight.get(instance.id);
    // a refresh begun before Redis went away may wait for it: one begun since does not
    const redisAwaySince = this.tokens.unreachableSince();
    if (existing && existing.validUntil >= validUntil && existing.redisAwaySince === redisAwaySince) return existing.token;
    const token = this.refresher
      .refresh(instance, { validUntil, lockWaitMs: this.options.lockWaitMs, mayProbe: true })
      .then((fresh) => {
        this.lastKnown.set(instance.id, fresh);
        return fresh;
      })
      .finally(() => {
        if (this.inFlight.get(instance.id)?.token === token) this.inFlight.delete(instance.id);
      });
    this.inFlight.set(instance.id, { validUntil, redisAwaySince, token });
    return token;
  }
}

function newest(a: StoredToken | undefined, b: StoredToken | undefined): StoredToken | undefined {
  return !a || (b && b.expiresAt > a.expiresAt) ? b : a;
}

/** Whether `token` may be handed to a caller who needs it for `minTtlSeconds`. */
function lasts(token: StoredToken, minTtlSeconds: number): boolean {
  return token.expiresAt - Date.now() >= Math.max(minTtlSeconds * 1000, safetyMarginMs(token));
}

function safetyMarginMs(token: StoredToken | undefined): number {
  return token ? Math.min(MIN_REMAINING_MS, (token.expiresAt - token.obtainedAt) * MIN_REMAINING_SHARE) : MIN_REMAINING_MS;
}

/**
 * What the last refresh could give a caller bounds what `minTtl` can get: the lifetime, less the
 * work before the upstream answered and the commit after it (a rotating provider's claim and
 * credential writes, which a slow Vault makes hundreds of ms). A need beyond it gets its 422 at once,
 * not after an upstream call per request. A token stored without `readyAt` offers its lifetime.
 */
function assertAttainable(token: StoredToken, provider: string, minTtlSeconds: number, neededMs: number): void {
  const attainable = attainableMs(token);
  if (minTtlSeconds > 0 && attainable <= neededMs) {
    throw new TtlUnattainableError(provider, minTtlSeconds, Math.floor(attainable / 1000));
  }
}

function attainableMs(token: StoredToken): number {
  return token.expiresAt - (token.readyAt ?? token.obtainedAt);
}
