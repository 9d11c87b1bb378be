import { Injectable } from '@nestjs/common';
import { CachedCredentials } from '@app/credentials';
import { TokenStoreUnreachableError } from '@app/errors';
import { InjectDistributedLock, type DistributedLock } from '@app/locking';
import { ProviderRegistry, type ProviderInstance } from '@app/providers';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { deriveProviderState, refreshLockResource, statusWithRefusal, type ProviderState } from './provider-state';
import { readRefusal } from './refresh-claim';
import { refreshDueAt } from './refresh-timing';

/** A provider's health and timings (epoch ms), never a token or a secret. */
export interface ProviderSnapshot {
  provider: string;
  type: string;
  state: ProviderState;
  expiresAt?: number;
  lastRefreshAt?: number;
  /** The pre-refresh window's start (without any replica's jitter), or the end of a backoff. */
  nextRefreshAt?: number;
  consecutiveFailures: number;
  lastError?: { code: string; message: string; at: number };
  durableWritePending: boolean;
}

/**
 * Providers whose state is read at once when all are listed (four store reads each): the status
 * page and GET /providers list every provider, and at 10,000 providers reading them all at once
 * queued 40,000 commands in one go.
 */
const BUILDS_AT_ONCE = 64;

/** Builds a provider's state from the shared token store, the credential store and the refresh lock, in one place. */
@Injectable()
export class ProviderStateService {
  private listing: Promise<ProviderSnapshot[]> | undefined;

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly credentials: CachedCredentials,
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectDistributedLock() private readonly lock: DistributedLock,
  ) {}

  /**
   * Requests that arrive while a listing runs share it: every open status page and dashboard would
   * otherwise add its own read of every provider. Throws TokenStoreUnavailableError at once while
   * Redis is away: the states are there.
   */
  async list(): Promise<ProviderSnapshot[]> {
    this.assertStoreReachable();
    this.listing ??= this.readAll().finally(() => (this.listing = undefined));
    return this.listing;
  }

  private async readAll(): Promise<ProviderSnapshot[]> {
    const instances = this.registry.list();
    const snapshots: ProviderSnapshot[] = [];
    for (let start = 0; start < instances.length; start += BUILDS_AT_ONCE) {
      const batch = instances.slice(start, start + BUILDS_AT_ONCE);
      snapshots.push(...(await Promise.all(batch.map((instance) => this.build(instance)))));
    }
    return snapshots;
  }

  async describe(provider: string): Promise<ProviderSnapshot> {
    const instance = this.registry.get(provider);
    this.assertStoreReachable();
    return this.build(instance);
  }

  private assertStoreReachable(): void {
    const since = this.tokens.unreachableSince();
    if (since !== undefined) throw new TokenStoreUnreachableError(since, 'provider states are kept there');
  }

  private async build(instance: ProviderInstance): Promise<ProviderSnapshot> {
    const [token, redisStatus, record, refreshing] = await Promise.all([
      // this replica's copy when it has one (kept current through Redis's announcements), else Redis
      this.tokens.peek(instance.id) ?? this.tokens.get(instance.id),
      this.tokens.getStatus(instance.id),
      // an unreachable credential store says nothing about whether credentials exist
      this.credentials.get(instance.id).catch(() => 'unknown' as const),
      this.lock.isHeld(refreshLockResource(instance.id)).catch(() => false),
    ]);
    const hasCredentials = record !== undefined;
    const refusal = record === 'unknown' || !record ? undefined : readRefusal(record.values);
    const status = statusWithRefusal(redisStatus, refusal);
    return {
      provider: instance.id,
      type: instance.type,
      state: deriveProviderState({ hasCredentials, hasToken: token !== undefined, status, refreshing }),
      expiresAt: token?.expiresAt,
      lastRefreshAt: status?.lastRefreshAt,
      nextRefreshAt: token ? refreshDueAt(token, instance.refreshBefore, 0) : status?.retryAt,
      consecutiveFailures: status?.consecutiveFailures ?? 0,
      lastError: status?.lastError,
      durableWritePending: status?.durableWritePending ?? false,
    };
  }
}
