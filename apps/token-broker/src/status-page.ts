import { STATUS_PAGE_CSS } from './status-page-style';
import {
  MAX_PROVIDER_ROWS,
  type MomentView,
  type NotShown,
  type ProviderCardView,
  type StatusPageView,
  type StoreView,
} from './status-page-view';

/** The browser reloads the page this often: no scripts needed. */
const RELOAD_SECONDS = 5;

/** The columns after the provider's own (a row header); each cell is labelled with its column on phones. */
const COLUMNS: Array<{ label: string; name: string; cell(p: ProviderCardView): string }> = [
  { label: 'State', name: 'state', cell: (p) => `${badge(p.state)}<span class="meaning">${prose(p.meaning)}</span>` },
  { label: 'What to do', name: 'todo', cell: (p) => `${prose(p.whatToDo)}${actions(p)}` },
  { label: 'Token expires', name: 'expires', cell: (p) => (p.expiresAt ? time(p.expiresAt) : 'no token') },
  { label: 'Next refresh', name: 'next-refresh', cell: (p) => (p.nextRefreshAt ? time(p.nextRefreshAt) : 'not scheduled') },
  { label: 'Last refresh', name: 'last-refresh', cell: (p) => (p.lastRefreshAt ? time(p.lastRefreshAt) : 'none yet') },
  { label: 'Failures in a row', name: 'failures', cell: (p) => String(p.consecutiveFailures) },
  { label: 'Last error', name: 'last-error', cell: (p) => (p.lastError ? lastError(p.lastError) : 'none') },
  { label: 'Durable write pending', name: 'write-pending', cell: (p) => (p.durableWritePending ? 'yes' : 'no') },
];

/** The read-only ops page: server-rendered HTML, inline CSS, no scripts or external assets. */
export function renderStatusPage(view: StatusPageView): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${RELOAD_SECONDS}">
<title>token-broker status</title>
<style>${STATUS_PAGE_CSS}</style>
</head><body>
<header><h1>token-broker</h1>
<p class="muted">Status at ${escape(view.generatedAt.absolute)}; this page reloads every ${RELOAD_SECONDS} s.
A time's exact moment (UTC) is in its tooltip.</p></header>
<main>
<section aria-labelledby="broker-heading"><h2 id="broker-heading">Broker</h2>
<dl id="broker">
${fact('Mode', escape(view.broker.mode))}
${fact('Version', escape(view.broker.version))}
${fact('Uptime', time(view.broker.startedAt, view.broker.uptime))}
${view.broker.stores.map(store).join('\n')}
</dl></section>
<section aria-labelledby="providers-heading"><h2 id="providers-heading">Providers</h2>
${view.providersUnavailable === undefined ? providerTable(view.providers) + notShown(view.notShown) : unavailable(view.providersUnavailable)}
</section>
</main></body></html>`;
}

function providerTable(providers: ProviderCardView[]): string {
  if (providers.length === 0) return '<p>No providers configured (PROVIDERS_FILE).</p>';
  const headers = ['Provider', ...COLUMNS.map((c) => c.label)].map((label) => `<th scope="col">${label}</th>`);
  return `<table id="providers"><thead><tr>${headers.join('')}</tr></thead>
<tbody>
${providers.map(providerRow).join('\n')}
</tbody></table>`;
}

function providerRow(p: ProviderCardView): string {
  const cells = COLUMNS.map((c) => `<td class="${c.name}" data-label="${c.label}">${c.cell(p)}</td>`);
  return `<tr data-provider="${escape(p.provider)}" data-state="${p.state}">
<th scope="row" class="provider">${escape(p.provider)}<span class="detail">${escape(p.type)}</span></th>${cells.join('')}</tr>`;
}

function notShown(left: NotShown | undefined): string {
  if (!left) return '';
  const attention = left.needingAttention > 0 ? `, ${left.needingAttention} of them in need of attention` : ', all of them healthy';
  return `\n<p id="providers-not-shown">${left.count} more providers not shown${attention}: the page shows those that need attention first, ${MAX_PROVIDER_ROWS} rows at most. <code>GET /providers</code> lists every provider.</p>`;
}

function unavailable(reason: string): string {
  return `<p class="down" id="providers-unavailable">${escape(reason)}</p>`;
}

function badge(state: ProviderCardView['state']): string {
  return `<span class="badge state-${state}">${escape(state)}</span>`;
}

function lastError(error: NonNullable<ProviderCardView['lastError']>): string {
  return `<code>${escape(error.code)}</code> ${escape(error.message)} (${time(error.at)})`;
}

function actions(p: ProviderCardView): string {
  if (p.actions.length === 0) return '';
  return `<ul class="actions">${p.actions.map((a) => `<li><a href="${escape(a.href)}">${escape(a.label)}</a></li>`).join('')}</ul>`;
}

function fact(term: string, html: string): string {
  return `<div><dt>${term}</dt><dd>${html}</dd></div>`;
}

function store(s: StoreView): string {
  const readiness = s.ready ? '<span class="ready">ready</span>' : `<span class="down">not reachable</span>: ${escape(s.problem ?? '')}`;
  return fact(s.name, `${readiness}<span class="detail">${escape(s.backend)}</span>`);
}

function time(at: MomentView, text = at.relative): string {
  return `<time datetime="${at.iso}" title="${escape(at.absolute)}">${escape(text)}</time>`;
}

/** Guide text: escaped, with its `backticked` parts as code. */
function prose(text: string): string {
  return escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
