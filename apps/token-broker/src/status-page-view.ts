import { PROVIDER_STATE_GUIDE, type ProviderState } from '@app/refresh';
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
  notShown?: NotShown;
  /** Why there is no provider list (the token store did not answer). */
  providersUnavailable?: string;
}

/** Providers left out of the page past MAX_PROVIDER_ROWS, and how many of those need attention. */
export interface NotShown {
  count: number;
  needingAttention: number;
}

export interface StatusPageInputs {
  broker: BrokerFacts;
  stores: StoreReadiness[];
  /** The rows to show: selectRows' choice. */
  providers: ProviderStatusView[];
  notShown?: NotShown;
  providersUnavailable?: string;
  /** Providers a person can authorize in a browser (an authorizeUrl is configured). */
  connectable: ReadonlySet<string>;
  /** Epoch ms. */
  now: number;
}

/**
 * Rows the page shows at most: it reloads every 5 s, and 10,000 providers' rows were 9 MB of HTML
 * each time (a third of a second of blocked event loop per reload), more than anyone reads.
 */
export const MAX_PROVIDER_ROWS = 200;

const STORE_NAMES: Record<StoreReadiness['key'], string> = { token_store: 'Token store', credential_store: 'Credential store' };

/** Everything the status page shows, in words and moments, from what the broker knows right now. */
export function buildStatusPageView({
  broker,
  stores,
  providers,
  notShown,
  providersUnavailable,
  connectable,
  now,
}: StatusPageInputs): StatusPageView {
  const moment = (at: number): MomentView => ({
    iso: new Date(at).toISOString(),
    relative: relativeTime(at, now),
    absolute: absoluteTime(at),
  });
  return {
    generatedAt: moment(now),
    broker: {
      mode: broker.mode,
      version: broker.version,
      uptime: duration(now - broker.startedAt),
      startedAt: moment(broker.startedAt),
      stores: stores.map(({ key, backend, ready, problem }) => ({ name: STORE_NAMES[key], backend, ready, problem })),
    },
    providers: providers.map((p) => providerCard(p, moment, connectable)),
    notShown,
    providersUnavailable,
  };
}

/**
 * The providers the page shows, chosen as they are read, a batch at a time: every one while they
 * fit; past MAX_PROVIDER_ROWS, those that need attention first, then healthy ones, in configuration
 * order either way. It keeps at most MAX_PROVIDER_ROWS of each kind, so thousands of providers cost
 * no more memory than the rows shown.
 */
export class RowSelection<T extends { state: ProviderState }> {
  private seen = 0;
  private needingAttention = 0;
  /** The first rows of each kind, with their position in the configuration. */
  private readonly kept = { attention: [] as Array<[number, T]>, healthy: [] as Array<[number, T]> };

  add(rows: readonly T[]): void {
    for (const row of rows) {
      const kind = needsAttention(row) ? 'attention' : 'healthy';
      if (kind === 'attention') this.needingAttention += 1;
      if (this.kept[kind].length < MAX_PROVIDER_ROWS) this.kept[kind].push([this.seen, row]);
      this.seen += 1;
    }
  }

  result(): { shown: T[]; notShown?: NotShown } {
    // those that need attention come first, so only their overflow is left out
    const healthyRoom = Math.max(0, MAX_PROVIDER_ROWS - this.needingAttention);
    const shown = [...this.kept.attention, ...this.kept.healthy.slice(0, healthyRoom)].sort(([a], [b]) => a - b).map(([, row]) => row);
    if (this.seen <= MAX_PROVIDER_ROWS) return { shown };
    return {
      shown,
      notShown: { count: this.seen - shown.length, needingAttention: Math.max(0, this.needingAttention - MAX_PROVIDER_ROWS) },
    };
  }
}

function needsAttention(p: { state: ProviderState }): boolean {
  return p.state !== 'ok' && p.state !== 'refreshing';
}

function providerCard(p: ProviderStatusView, moment: (at: number) => MomentView, connectable: ReadonlySet<string>): ProviderCardView {
  const optionalMoment = (iso: string | null) => (iso === null ? undefined : moment(Date.parse(iso)));
  return {
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
  };
}

/** "Reconnect" once the provider has been connected (it refreshed, or its chain was refused); before that, "Connect". */
function connectAction(p: ProviderStatusView): ProviderAction {
  const connectedBefore = p.last_refresh_at !== null || p.state === 'reauthorization_required';
  return { label: connectedBefore ? 'Reconnect' : 'Connect', href: `/admin/connect/${encodeURIComponent(p.provider)}` };
}
