import { Injectable } from '@nestjs/common';
import { InjectBrokerConfig, type BrokerConfig } from '@app/config';
import { TokenStoreUnavailableError, TtlUnattainableError } from '@app/errors';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry, type ProviderInstance } from '@app/providers';
import { InjectTokenStore, type StoredToken, type TokenStore } from '@app/token-store';
import { TokenRefresher } from './token-refresher.service';

/**
 * A token handed to a caller always has some life left, so it doesn't expire in flight: 5 s, or a
 * tenth of the lifetime for providers whose tokens live less than 50 s.
 */
const MIN_REMAINING_MS = 5_000;
const MIN_REMAINING_SHARE = 0.1;

/** Serves tokens to callers: from the shared store when valid, otherwise via one refresh per process. */
@Injectable()
export class TokenService {
  private readonly inFlight = new Map<string, Promise<StoredToken>>();
  /** The last token this process saw per provider: served only while the token store is unreachable. */
  private readonly lastKnown = new Map<string, StoredToken>();

  constructor(
    @InjectBrokerConfig() private readonly config: BrokerConfig,
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly registry: ProviderRegistry,
    private readonly refresher: TokenRefresher,
    private readonly metrics: BrokerMetrics,
  ) {}

  /** A token that stays valid at least `minTtlSeconds` (and never less than 5 s). */
  async getToken(providerId: string, minTtlSeconds = 0): Promise<StoredToken> {
    const instance = this.registry.get(providerId);
    const cached = await this.readStore(providerId, minTtlSeconds);
    const neededMs = Math.max(minTtlSeconds * 1000, safetyMarginMs(cached));
    if (cached && cached.expiresAt - Date.now() >= neededMs) {
      this.metrics.cacheLookups.inc({ provider: providerId, result: 'hit' });
      return cached;
    }
    this.metrics.cacheLookups.inc({ provider: providerId, result: 'miss' });
    if (cached) assertAttainable(cached, providerId, minTtlSeconds, neededMs);

    const fresh = await this.singleFlight(instance, neededMs);
    if (fresh.expiresAt - Date.now() < neededMs) {
      assertAttainable(fresh, providerId, minTtlSeconds, neededMs);
      // a concurrent flight started for a shorter need; this caller needs one of its own
      return this.singleFlight(instance, neededMs);
    }
    return fresh;
  }

  /** Refresh now, whatever the cached token's state (forced refresh, scheduler). */
  refreshNow(providerId: string, lockWaitMs = this.config.lockWaitMs): Promise<StoredToken> {
    const instance = this.registry.get(providerId);
    return this.refresher.refresh(instance, { validUntil: Number.POSITIVE_INFINITY, lockWaitMs });
  }

  /** A store outage is not a reason to refuse a token this process knows is still good. */
  private async readStore(providerId: string, minTtlSeconds: number): Promise<StoredToken | undefined> {
    try {
      const token = await this.tokens.get(providerId);
      if (token) this.lastKnown.set(providerId, token);
      return token;
    } catch (error) {
      const known = this.lastKnown.get(providerId);
      const neededMs = Math.max(minTtlSeconds * 1000, safetyMarginMs(known));
      if (error instanceof TokenStoreUnavailableError && known && known.expiresAt - Date.now() >= neededMs) return known;
      throw error;
    }
  }

  /** Concurrent callers in this process share one refresh; across processes the lock de-duplicates. */
  private singleFlight(instance: ProviderInstance, neededMs: number): Promise<StoredToken> {
    const existing = this.inFlight.get(instance.id);
    if (existing) return existing;
    const flight = this.refresher
      .refresh(instance, { validUntil: Date.now() + neededMs, lockWaitMs: this.config.lockWaitMs })
      .then((token) => {
        this.lastKnown.set(instance.id, token);
        return token;
      })
      .finally(() => this.inFlight.delete(instance.id));
    this.inFlight.set(instance.id, flight);
    return flight;
  }
}

function safetyMarginMs(token: StoredToken | undefined): number {
  return token ? Math.min(MIN_REMAINING_MS, (token.expiresAt - token.obtainedAt) * MIN_REMAINING_SHARE) : MIN_REMAINING_MS;
}

/** A fresh token's lifetime bounds what `minTtl` can ever get. */
function assertAttainable(token: StoredToken, provider: string, minTtlSeconds: number, neededMs: number): void {
  const lifetimeMs = token.expiresAt - token.obtainedAt;
  if (minTtlSeconds > 0 && lifetimeMs < neededMs) {
    throw new TtlUnattainableError(provider, minTtlSeconds, Math.floor(lifetimeMs / 1000));
  }
}
