import type { ProviderStatus } from '@app/token-store';

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
export function refreshLockResource(provider: string): string {
  return `{${provider}}:refresh`;
}
