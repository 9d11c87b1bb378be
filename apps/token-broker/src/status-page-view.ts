import { PROVIDER_STATE_GUIDE } from '@app/refresh';
import type { ProviderStatusView } from './provider-status-view';
import type { BrokerFacts } from './status-page-broker';
import { absoluteTime, duration, relativeTime } from './status-page-time';
import type { StoreReadiness } from './store-readiness';

/** A moment as the page shows it: relative in the text, absolute in the tooltip, ISO for machines. */
export interface MomentView {
  iso: string;
  relative: string;
  absolute: string;
}

export interface StoreView {
  name: string;
  backend: string;
  ready: boolean;
  problem?: string;
}

/** A link a person follows to fix a provider, e.g. "Reconnect" for an OAuth provider with an authorize URL. */
export interface ProviderAction {
  label: string;
  href: string;
}

export interface ProviderCardView {
  provider: string;
  type: string;
  state: ProviderStatusView['state'];
  meaning: string;
  /** With the provider's id filled in; `code` in backticks. */
  whatToDo: string;
  expiresAt?: MomentView;
  nextRefreshAt?: MomentView;
  lastRefreshAt?: MomentView;
  consecutiveFailures: number;
  lastError?: { code: string; message: string; at: MomentView };
  durableWritePending: boolean;
  /** "Connect" or "Reconnect" for providers with an authorizeUrl; empty for the others. */
  actions: ProviderAction[];
}

export interface StatusPageView {
  generatedAt: MomentView;
  broker: { mode: string; version: string; uptime: string; startedAt: MomentView; stores: StoreView[] };
  providers: ProviderCardView[];
  /** Why there is no provider list (the token store did not answer). */
  providersUnavailable?: string;
}

export interface StatusPageInputs {
  broker: BrokerFacts;
  stores: StoreReadiness[];
  providers: ProviderStatusView[];
  providersUnavailable?: string;
  /** Providers a person can authorize in a browser (an authorizeUrl is configured). */
  connectable: ReadonlySet<string>;
  /** Epoch ms. */
  now: number;
}

const STORE_NAMES: Record<StoreReadiness['key'], string> = { token_store: 'Token store', credential_store: 'Credential store' };

/** Everything the status page shows, in words and moments, from what the broker knows right now. */
export function buildStatusPageView({
  broker,
  stores,
  providers,
  providersUnavailable,
  connectable,
  now,
}: StatusPageInputs): StatusPageView {
  const moment = (at: number): MomentView => ({
    iso: new Date(at).toISOString(),
    relative: relativeTime(at, now),
    absolute: absoluteTime(at),
  });
  const optionalMoment = (iso: string | null) => (iso === null ? undefined : moment(Date.parse(iso)));
  return {
    generatedAt: moment(now),
    broker: {
      mode: broker.mode,
      version: broker.version,
      uptime: duration(now - broker.startedAt),
      startedAt: moment(broker.startedAt),
      stores: stores.map(({ key, backend, ready, problem }) => ({ name: STORE_NAMES[key], backend, ready, problem })),
    },
    providers: providers.map((p) => ({
      provider: p.provider,
      type: p.type,
      state: p.state,
      meaning: PROVIDER_STATE_GUIDE[p.state].meaning,
      whatToDo: PROVIDER_STATE_GUIDE[p.state].whatToDo.replaceAll('<provider>', p.provider),
      expiresAt: optionalMoment(p.expires_at),
      nextRefreshAt: optionalMoment(p.next_refresh_at),
      lastRefreshAt: optionalMoment(p.last_refresh_at),
      consecutiveFailures: p.consecutive_failures,
      lastError: p.last_error ? { ...p.last_error, at: moment(Date.parse(p.last_error.at)) } : undefined,
      durableWritePending: p.durable_write_pending,
      actions: connectable.has(p.provider) ? [connectAction(p)] : [],
    })),
    providersUnavailable,
  };
}

/** "Reconnect" once the provider has been connected (it refreshed, or its chain was refused); before that, "Connect". */
function connectAction(p: ProviderStatusView): ProviderAction {
  const connectedBefore = p.last_refresh_at !== null || p.state === 'reauthorization_required';
  return { label: connectedBefore ? 'Reconnect' : 'Connect', href: `/admin/connect/${encodeURIComponent(p.provider)}` };
}
