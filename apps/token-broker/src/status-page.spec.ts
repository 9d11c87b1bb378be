import { renderStatusPage } from './status-page';
import { PAGE_COLORS, STATE_COLORS } from './status-page-style';
import type { MomentView, ProviderCardView, StatusPageView } from './status-page-view';

const moment = (relative: string): MomentView => ({ iso: '2030-01-02T03:46:05.000Z', relative, absolute: '2030-01-02 03:46:05 UTC' });

const card: ProviderCardView = {
  provider: 'crm',
  type: 'smartdocumentor',
  state: 'reauthorization_required',
  meaning: 'the upstream refused the credentials',
  whatToDo: 'a person stores new credentials: `PUT /admin/credentials/crm`',
  expiresAt: moment('in 42 min'),
  lastRefreshAt: moment('3 min ago'),
  consecutiveFailures: 2,
  lastError: { code: 'invalid_client', message: 'refused <b>`x`</b> & "quoted"', at: moment('1 min ago') },
  durableWritePending: true,
  actions: [],
};

const view: StatusPageView = {
  generatedAt: moment('now'),
  broker: {
    mode: 'embedded: one instance',
    version: '1.2.3',
    uptime: '3 h 5 min',
    startedAt: moment('3 h 5 min ago'),
    stores: [
      { name: 'Token store', backend: 'Redis', ready: false, problem: 'Redis is unavailable (<down>)' },
      { name: 'Credential store', backend: 'encrypted file', ready: true },
    ],
  },
  providers: [card],
};

describe('renderStatusPage', () => {
  const html = renderStatusPage(view);

  it('escapes what comes from data, and sets only the guide text in code', () => {
    expect(html).toContain('refused &#60;b&#62;`x`&#60;/b&#62; &#38; &#34;quoted&#34;');
    expect(html).toContain('<code>PUT /admin/credentials/crm</code>');
    expect(html).toContain('<span class="down">not reachable</span>: Redis is unavailable (&#60;down&#62;)');
  });

  it('shows times relatively, with the absolute time as a tooltip', () => {
    expect(html).toContain('<time datetime="2030-01-02T03:46:05.000Z" title="2030-01-02 03:46:05 UTC">in 42 min</time>');
    expect(html).toContain('>3 h 5 min</time>');
  });

  it('labels every cell with its column, for the stacked cards on phones', () => {
    const labels = [...html.matchAll(/<td class="[a-z-]+" data-label="([^"]+)">/g)].map((m) => m[1]);
    const headers = [...html.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(labels).toEqual(headers.slice(1));
    expect(html).toContain('<th scope="row" class="provider">crm');
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('renders action links when a provider has them', () => {
    expect(html).not.toContain('class="actions"');
    const reconnect = { label: 'Reconnect', href: '/connect/crm?a=1&b=2' };
    const withAction = renderStatusPage({ ...view, providers: [{ ...card, actions: [reconnect] }] });
    expect(withAction).toContain('<ul class="actions"><li><a href="/connect/crm?a=1&#38;b=2">Reconnect</a></li></ul>');
  });

  it('loads nothing from elsewhere and runs no script', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import|https?:/i);
  });

  it('says why there is no provider table when the providers cannot be read', () => {
    const down = renderStatusPage({ ...view, providers: [], providersUnavailable: 'Provider states cannot be read: Redis is unavailable' });
    expect(down).not.toContain('<table');
    expect(down).toContain('<p class="down" id="providers-unavailable">Provider states cannot be read: Redis is unavailable</p>');
  });

  it('says how many providers it left out, and where all of them are listed', () => {
    const capped = renderStatusPage({ ...view, notShown: { count: 9_800, needingAttention: 3 } });
    expect(capped).toContain('9800 more providers not shown, 3 of them in need of attention');
    expect(capped).toContain('<code>GET /providers</code> lists every provider.');
    expect(html).not.toContain('providers-not-shown');
  });

  it('keeps every text colour at WCAG AA contrast (4.5:1) on its background', () => {
    const pairs = [
      ...Object.values(STATE_COLORS).map((c) => [c.text, c.background]),
      ...[PAGE_COLORS.text, PAGE_COLORS.muted, PAGE_COLORS.ready, PAGE_COLORS.down].map((text) => [text, PAGE_COLORS.background]),
    ];
    for (const [text, background] of pairs) {
      expect({ text, background, meetsAA: contrast(text, background) >= 4.5 }).toEqual({ text, background, meetsAA: true });
    }
  });
});

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
