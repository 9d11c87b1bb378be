import { Injectable } from '@nestjs/common';
import { CachedCredentials, type CredentialRecord } from '@app/credentials';
import { InjectDistributedLock, type DistributedLock } from '@app/locking';
import { ProviderRegistry, type ProviderInstance } from '@app/providers';
import { InjectTokenStore, type ProviderStatus, type StoredToken, type TokenStore } from '@app/token-store';
import { deriveProviderState, refreshLockResource, statusWithRefusal, type ProviderState } from './provider-state';
import { readRefusal } from './refresh-claim';
import { refreshDueAt } from './refresh-timing';
import { assertTokenStoreReachable } from './token-store-reachability';

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
 * Providers whose state is read together when all are listed (the status page, reloaded every 5 s,
 * and GET /providers): a batch's statuses are one Redis command and its refresh locks another,
 * where two commands per provider made 20,000 per listing of 10,000 providers. The bound keeps the
 * token reads (of providers this replica holds no copy of) and credential reads from all being
 * queued at once.
 */
const BATCH_SIZE = 64;

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
    for (let start = 0; start < instances.length; start += BATCH_SIZE) {
      snapshots.push(...(await this.build(instances.slice(start, start + BATCH_SIZE))));
    }
    return snapshots;
  }

  async describe(provider: string): Promise<ProviderSnapshot> {
    const instance = this.registry.get(provider);
    this.assertStoreReachable();
    const [snapshot] = await this.build([instance]);
    return snapshot;
  }

  private assertStoreReachable(): void {
    assertTokenStoreReachable(this.tokens, 'provider states are kept there');
  }

  /** The snapshots of `instances`, in their order. */
  private async build(instances: ProviderInstance[]): Promise<ProviderSnapshot[]> {
    const ids = instances.map((instance) => instance.id);
    const lockResources = ids.map(refreshLockResource);
    const [tokens, statuses, records, refreshing] = await Promise.all([
      // this replica's copy when it has one (kept current through Redis's announcements), else Redis
      Promise.all(ids.map(async (id) => this.tokens.peek(id) ?? this.tokens.get(id))),
      this.tokens.getStatuses(ids),
      // an unreachable credential store says nothing about whether credentials exist
      Promise.all(ids.map((id) => this.credentials.get(id).catch(() => 'unknown' as const))),
      this.lock.heldAmong(lockResources).catch(() => new Set<string>()),
    ]);
    return instances.map((instance, index) =>
      snapshotOf(instance, {
        token: tokens[index],
        storedStatus: statuses[index],
        record: records[index],
        refreshing: refreshing.has(lockResources[index]),
      }),
    );
  }
}

/** What was read about one provider. */
interface ProviderReads {
  token?: StoredToken;
  storedStatus?: ProviderStatus;
  record: CredentialRecord | 'unknown' | undefined;
  refreshing: boolean;
}

function snapshotOf(instance: ProviderInstance, { token, storedStatus, record, refreshing }: ProviderReads): ProviderSnapshot {
  const hasCredentials = record !== undefined;
  const refusal = record === 'unknown' || !record ? undefined : readRefusal(record.values);
  const status = statusWithRefusal(storedStatus, refusal);
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
