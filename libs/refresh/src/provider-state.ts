import type { ProviderStatus } from '@app/token-store';
import type { RefusalMark } from './refresh-claim';

export type ProviderState = 'ok' | 'refreshing' | 'degraded' | 'failing' | 'reauthorization_required' | 'credentials_missing';

/** What the state is derived from: the credential store, the token store, the shared status, the refresh lock. */
export interface ProviderStateInputs {
  hasCredentials: boolean;
  hasToken: boolean;
  status?: Pick<ProviderStatus, 'state' | 'durableWritePending'>;
  refreshing: boolean;
}

/**
 * The one rule for a provider's state on the ops dashboard. States that need a person win over
 * everything; a refresh in progress is shown over the outcome of the previous one.
 */
export function deriveProviderState({ hasCredentials, hasToken, status, refreshing }: ProviderStateInputs): ProviderState {
  if (!hasCredentials && !hasToken) return 'credentials_missing';
  if (status?.state === 'reauthorization_required') return 'reauthorization_required';
  if (refreshing) return 'refreshing';
  if (status?.state === 'failing') return 'failing';
  if (status?.state === 'degraded' || status?.durableWritePending) return 'degraded';
  return 'ok';
}

/** The lock every refresh of a provider runs under; held means a refresh is in progress somewhere. */
/**
 * A rotating chain the upstream refused is marked in the credential store: it outlives Redis's copy
 * of the status. A refresh that succeeded after the mark was made (new credentials stored on another
 * replica, whose cached copy of the record here is older) is newer news than the mark.
 */
export function statusWithRefusal(status: ProviderStatus | undefined, refusal: RefusalMark | undefined): ProviderStatus | undefined {
  if (!refusal || status?.state === 'reauthorization_required') return status;
  if (status?.lastRefreshAt !== undefined && status.lastRefreshAt > refusal.at) return status;
  return { ...status, state: 'reauthorization_required', consecutiveFailures: status?.consecutiveFailures ?? 1, lastError: refusal };
}

export function refreshLockResource(provider: string): string {
  return `{${provider}}:refresh`;
}

/** What a state means and what the person on call does about it. */
export interface ProviderStateGuide {
  meaning: string;
  /** `code` in backticks; `<provider>` stands for the provider's id. */
  whatToDo: string;
}

const SEED_CREDENTIALS = '`PUT /admin/credentials/<provider>` with the admin token (see "Credentials (admin)")';

/**
 * The one text per state: the status page shows it beside each provider, and README "Operations"
 * carries the same table (a spec compares them).
 */
export const PROVIDER_STATE_GUIDE: Readonly<Record<ProviderState, ProviderStateGuide>> = {
  ok: { meaning: 'token fresh, last refresh succeeded', whatToDo: 'nothing' },
  refreshing: { meaning: "a refresh holds the provider's lock right now (any replica)", whatToDo: 'nothing; look again in a few seconds' },
  degraded: {
    meaning: 'tokens are served, but a rotated refresh token still waits for its durable write (outbox)',
    whatToDo: 'check that the credential store is reachable (`/health/ready`); the broker retries the write on its own',
  },
  failing: {
    meaning: 'transient upstream failures; backing off until `next_refresh_at`; tokens still valid are served',
    whatToDo: 'check the upstream against the last error; the broker retries on its own',
  },
  reauthorization_required: {
    meaning: 'the upstream refused the credentials',
    whatToDo: `a person stores new credentials: ${SEED_CREDENTIALS}`,
  },
  credentials_missing: { meaning: 'nothing stored', whatToDo: `store credentials: ${SEED_CREDENTIALS}` },
};
