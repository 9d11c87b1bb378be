import type { ProviderStatusView } from '@app/refresh';

const COLORS: Record<ProviderStatusView['state'], string> = {
  ok: '#1a7f37',
  refreshing: '#0969da',
  degraded: '#9a6700',
  failing: '#bc4c00',
  reauthorization_required: '#cf222e',
  credentials_missing: '#6e7781',
};

/** The read-only ops page: one table, inline CSS, no scripts or external assets, refreshed by the browser. */
export function renderStatusPage(providers: ProviderStatusView[], now = new Date()): string {
  const rows = providers
    .map(
      (p) => `<tr>
<td>${escape(p.provider)}</td><td>${escape(p.type)}</td>
<td class="state" style="color:${COLORS[p.state]}">${escape(p.state)}</td>
<td>${escape(p.expires_at ?? '-')}</td><td>${escape(p.next_refresh_at ?? '-')}</td>
<td>${p.consecutive_failures}</td><td>${escape(p.last_error ? `${p.last_error.code}: ${p.last_error.message}` : '')}</td>
<td>${p.durable_write_pending ? 'yes' : ''}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>token-broker status</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.4em .8em;border-bottom:1px solid #ddd;text-align:left}.state{font-weight:600}</style>
</head><body><h1>token-broker</h1><p>Providers at ${escape(now.toISOString())} (refreshes every 5 s)</p>
<table id="providers"><thead><tr><th>provider</th><th>type</th><th>state</th><th>token expires</th><th>next refresh</th><th>failures</th><th>last error</th><th>write pending</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>`;
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
