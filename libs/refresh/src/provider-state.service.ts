import { setImmediate as nextTurn } from 'node:timers/promises';
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
 * where two commands per provider made 20,000 per listing of 10,000 providers. Those two socket
 * writes were most of a batch's cost: batches of 256 rather than 64 took a status page's CPU at
 * 10,000 providers from about 160 to 125 ms. The bound keeps the token reads (of providers this
 * replica holds no copy of) and credential reads from all being queued at once.
 */
const BATCH_SIZE = 256;

/** How long a batch's answer is handed to other listings: far less than a listing of 10,000 takes. */
const BATCH_REUSE_MS = 20;

/** Builds a provider's state from the shared token store, the credential store and the refresh lock, in one place. */
@Injectable()
export class ProviderStateService {
  /** Batch reads in flight or just answered, by the batch's first position. */
  private readonly batchReads = new Map<number, Promise<readonly ProviderSnapshot[]>>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly credentials: CachedCredentials,
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectDistributedLock() private readonly lock: DistributedLock,
  ) {}

  /**
   * Every provider's snapshot, a batch at a time in configuration order, for a view to fold or write
   * and let go. A whole listing of 10,000 providers lived across all of its round trips, so the
   * collector promoted it: about 40% of what filled the old generation with the status page open.
   * The event loop turns between batches even where the stores answer at once (embedded mode).
   * Listings that run together share each batch's reads, as every open status page and dashboard
   * would otherwise add its own. Throws TokenStoreUnavailableError at once while Redis is away: the
   * states are there.
   */
  async *batches(): AsyncGenerator<readonly ProviderSnapshot[]> {
    this.assertStoreReachable();
    const instances = this.registry.list();
    for (let start = 0; start < instances.length; start += BATCH_SIZE) {
      if (start > 0) await nextTurn();
      yield await this.readBatch(instances, start);
    }
  }

  /**
   * A batch's read, shared while it runs and for BATCH_REUSE_MS after: a listing that starts a few
   * milliseconds after another (the bench's two views asked at once were 2-10 ms apart) takes the
   * batches already read without waiting, catches up, and then shares the reads in flight.
   */
  private readBatch(instances: ProviderInstance[], start: number): Promise<readonly ProviderSnapshot[]> {
    const shared = this.batchReads.get(start);
    if (shared) return shared;
    const read = this.build(instances.slice(start, start + BATCH_SIZE));
    this.batchReads.set(start, read);
    const forget = () => {
      if (this.batchReads.get(start) === read) this.batchReads.delete(start);
    };
    // a failed read is not handed on; a good one is let go soon, so no listing is held whole
    read.then(() => setTimeout(forget, BATCH_REUSE_MS).unref(), forget);
    return read;
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
