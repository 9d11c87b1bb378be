import type { ProviderStatusView } from './provider-status-view';

type State = ProviderStatusView['state'];

/** Text and background per state: every pair at least WCAG AA contrast (a spec computes it), never colour alone. */
export const STATE_COLORS: Record<State, { text: string; background: string }> = {
  ok: { text: '#116329', background: '#dafbe1' },
  refreshing: { text: '#0550ae', background: '#ddf4ff' },
  degraded: { text: '#7d4e00', background: '#fff8c5' },
  failing: { text: '#953800', background: '#fff1e5' },
  reauthorization_required: { text: '#a40e26', background: '#ffebe9' },
  credentials_missing: { text: '#424a53', background: '#eaeef2' },
};

export const PAGE_COLORS = { text: '#1f2328', muted: '#59636e', background: '#ffffff', ready: '#116329', down: '#a40e26' };

/** Below this width the provider table becomes one card per provider, labelled field by field. */
const PHONE_MAX_WIDTH = '760px';

const stateRules = Object.entries(STATE_COLORS)
  .map(([state, c]) => `.state-${state}{color:${c.text};background:${c.background}}tr[data-state=${state}]{border-left-color:${c.text}}`)
  .join('');

export const STATUS_PAGE_CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;padding:1rem 1.5rem;color:${PAGE_COLORS.text};background:${PAGE_COLORS.background}}
h1{font-size:1.5rem;margin:0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}p{margin:.25rem 0}
.muted,.detail,.meaning,dt,thead th,td::before{color:${PAGE_COLORS.muted}}
.detail,.meaning{display:block;font-size:.85rem;font-weight:400}
dl{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.5rem 1.5rem;margin:0}
dt{font-size:.85rem;font-weight:600}dd{margin:0}
dd{overflow-wrap:anywhere}th,td{overflow-wrap:break-word}
.ready{color:${PAGE_COLORS.ready};font-weight:600}.down{color:${PAGE_COLORS.down};font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{padding:.5rem .6rem;border-bottom:1px solid #d1d9e0;text-align:left;vertical-align:top}
thead th{font-size:.85rem;border-bottom-width:2px}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-weight:600}
code{font:.9em ui-monospace,monospace;background:#f6f8fa;padding:0 .2em;border-radius:3px}
time{white-space:nowrap}time[title]{text-decoration:underline dotted}
.actions{list-style:none;margin:.3rem 0 0;padding:0}.actions a{font-weight:600;color:#0550ae}
${stateRules}
@media (max-width:${PHONE_MAX_WIDTH}){
body{padding:.75rem}
table,tbody,tr,th,td{display:block}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
tr{border:1px solid #d1d9e0;border-left-width:6px;border-radius:6px;margin:0 0 .75rem;padding:.25rem .75rem}
th,td{border:0;padding:.3rem 0;overflow-wrap:anywhere}
tbody th{font-size:1.05rem}
td::before{content:attr(data-label);display:block;font-size:.8rem;font-weight:600}
}`;
