import type { ProviderSnapshot, ProviderState } from '@app/refresh';

/** What GET /providers answers per provider (and what the status page shows): health and timings, never a token or a secret. */
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

export function toStatusView(snapshot: ProviderSnapshot): ProviderStatusView {
  const { lastError } = snapshot;
  return {
    provider: snapshot.provider,
    type: snapshot.type,
    state: snapshot.state,
    expires_at: iso(snapshot.expiresAt),
    last_refresh_at: iso(snapshot.lastRefreshAt),
    next_refresh_at: iso(snapshot.nextRefreshAt),
    consecutive_failures: snapshot.consecutiveFailures,
    last_error: lastError ? { code: lastError.code, message: lastError.message, at: new Date(lastError.at).toISOString() } : null,
    durable_write_pending: snapshot.durableWritePending,
  };
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
