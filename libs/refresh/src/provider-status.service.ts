import { Injectable } from '@nestjs/common';
import { CachedCredentials } from '@app/credentials';
import { InjectDistributedLock, type DistributedLock } from '@app/locking';
import { ProviderRegistry, type ProviderInstance } from '@app/providers';
import { InjectTokenStore, type ProviderStatus, type TokenStore } from '@app/token-store';
import { deriveProviderState, refreshLockResource, type ProviderState } from './provider-state';
import { readRefusal } from './refresh-claim';
import { refreshDueAt } from './refresh-timing';

/** What the ops dashboard shows per provider: health and timings, never a token or a secret. */
export interface ProviderStatusView {
  provider: string;
  type: string;
  state: ProviderState;
  expires_at: string | null;
  last_refresh_at: string | null;
  next_refresh_at: string | null;
  consecutive_failures: number;
  last_error: { code: string; message: string; at: string } | null;
  durable_write_pending: boolean;
}

/** Builds the provider status from the shared token store, the credential store and the refresh lock, in one place. */
@Injectable()
export class ProviderStatusService {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly credentials: CachedCredentials,
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectDistributedLock() private readonly lock: DistributedLock,
  ) {}

  list(): Promise<ProviderStatusView[]> {
    return Promise.all(this.registry.list().map((instance) => this.build(instance)));
  }

  describe(provider: string): Promise<ProviderStatusView> {
    return this.build(this.registry.get(provider));
  }

  private async build(instance: ProviderInstance): Promise<ProviderStatusView> {
    const [token, redisStatus, record, refreshing] = await Promise.all([
      this.tokens.get(instance.id),
      this.tokens.getStatus(instance.id),
      // an unreachable credential store says nothing about whether credentials exist
      this.credentials.get(instance.id).catch(() => 'unknown' as const),
      this.lock.isHeld(refreshLockResource(instance.id)).catch(() => false),
    ]);
    const hasCredentials = record !== undefined;
    const status = withRefusal(redisStatus, record === 'unknown' ? undefined : record?.values);
    return {
      provider: instance.id,
      type: instance.type,
      state: deriveProviderState({ hasCredentials, hasToken: token !== undefined, status, refreshing }),
      expires_at: iso(token?.expiresAt),
      last_refresh_at: iso(status?.lastRefreshAt),
      // the window's start, without this replica's jitter
      next_refresh_at: iso(token ? refreshDueAt(token, instance.refreshBefore, 0) : status?.retryAt),
      consecutive_failures: status?.consecutiveFailures ?? 0,
      last_error: status?.lastError ? { code: status.lastError.code, message: status.lastError.message, at: iso(status.lastError.at)! } : null,
      durable_write_pending: status?.durableWritePending ?? false,
    };
  }
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** A rotating chain the upstream refused is marked in the credential store: it outlives Redis's copy of the status. */
function withRefusal(status: ProviderStatus | undefined, values: Record<string, string> | undefined): ProviderStatus | undefined {
  const refusal = values && readRefusal(values);
  if (!refusal || status?.state === 'reauthorization_required') return status;
  return { ...status, state: 'reauthorization_required', consecutiveFailures: status?.consecutiveFailures ?? 1, lastError: refusal };
}
