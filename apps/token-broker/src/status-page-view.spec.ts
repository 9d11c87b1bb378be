import type { ProviderStatusView } from './provider-status-view';
import { buildStatusPageView, MAX_PROVIDER_ROWS, RowSelection, type StatusPageInputs } from './status-page-view';

const NOW = Date.parse('2030-01-02T03:04:05.000Z');
const MIN = 60_000;
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

const refused: ProviderStatusView = {
  provider: 'crm',
  type: 'smartdocumentor',
  state: 'reauthorization_required',
  expires_at: at(42 * MIN),
  last_refresh_at: at(-3 * MIN),
  next_refresh_at: null,
  consecutive_failures: 2,
  last_error: { code: 'invalid_client', message: 'Upstream refused the credentials', at: at(-90_000) },
  durable_write_pending: true,
};

const inputs: StatusPageInputs = {
  broker: { mode: 'embedded: one instance', version: '1.2.3', startedAt: NOW - (3 * 60 + 5) * MIN },
  stores: [
    { key: 'token_store', backend: 'Redis', ready: false, shared: true, problem: 'Redis is unavailable (connect ECONNREFUSED)' },
    { key: 'credential_store', backend: 'encrypted file data/credentials.enc', ready: true, shared: false },
  ],
  providers: [refused],
  connectable: new Set(),
  now: NOW,
};

describe('buildStatusPageView', () => {
  const view = buildStatusPageView(inputs);

  it('describes the broker: mode, version, uptime since its start, and each store as /health/ready probed it', () => {
    expect(view.broker).toEqual({
      mode: 'embedded: one instance',
      version: '1.2.3',
      uptime: '3 h 5 min',
      startedAt: { iso: '2030-01-01T23:59:05.000Z', relative: '3 h 5 min ago', absolute: '2030-01-01 23:59:05 UTC' },
      stores: [
        { name: 'Token store', backend: 'Redis', ready: false, problem: 'Redis is unavailable (connect ECONNREFUSED)' },
        { name: 'Credential store', backend: 'encrypted file data/credentials.enc', ready: true, problem: undefined },
      ],
    });
    expect(view.generatedAt.absolute).toBe('2030-01-02 03:04:05 UTC');
  });

  it("gives each provider its state's guide, with the provider's id filled in", () => {
    const [card] = view.providers;
    expect(card).toMatchObject({
      provider: 'crm',
      type: 'smartdocumentor',
      state: 'reauthorization_required',
      meaning: 'the upstream refused the credentials',
    });
    expect(card.whatToDo).toContain('`PUT /admin/credentials/crm`');
    expect(card.whatToDo).not.toContain('<provider>');
  });

  it('turns every moment into relative words with the absolute time beside them', () => {
    const [card] = view.providers;
    expect(card.expiresAt).toEqual({ iso: at(42 * MIN), relative: 'in 42 min', absolute: '2030-01-02 03:46:05 UTC' });
    expect(card.lastRefreshAt?.relative).toBe('3 min ago');
    expect(card.nextRefreshAt).toBeUndefined();
    expect(card.lastError).toEqual({
      code: 'invalid_client',
      message: 'Upstream refused the credentials',
      at: { iso: at(-90_000), relative: '1 min ago', absolute: '2030-01-02 03:02:35 UTC' },
    });
    expect(card).toMatchObject({ consecutiveFailures: 2, durableWritePending: true });
  });

  it('offers Connect to a connectable provider never connected, and Reconnect once it was', () => {
    const fresh = { ...refused, provider: 'acme', state: 'credentials_missing' as const, last_refresh_at: null };
    const view = buildStatusPageView({ ...inputs, providers: [fresh, refused], connectable: new Set(['acme', 'crm']) });
    expect(view.providers.map((card) => card.actions)).toEqual([
      [{ label: 'Connect', href: '/admin/connect/acme' }],
      [{ label: 'Reconnect', href: '/admin/connect/crm' }],
    ]);
    const refusedBeforeAnyRefresh = { ...refused, last_refresh_at: null };
    expect(
      buildStatusPageView({ ...inputs, providers: [refusedBeforeAnyRefresh], connectable: new Set(['crm']) }).providers[0].actions[0].label,
    ).toBe('Reconnect');
  });

  it('leaves the actions empty for a provider without authorizeUrl, and one without history without moments', () => {
    const unseeded = { ...refused, state: 'credentials_missing' as const, expires_at: null, last_refresh_at: null, last_error: null };
    const [card] = buildStatusPageView({ ...inputs, providers: [unseeded] }).providers;
    expect(card).toMatchObject({ actions: [], expiresAt: undefined, lastRefreshAt: undefined, lastError: undefined });
  });

  it('passes on why the providers could not be read', () => {
    const providersUnavailable = 'Provider states cannot be read: Redis is unavailable';
    expect(buildStatusPageView({ ...inputs, providers: [], providersUnavailable })).toMatchObject({ providers: [], providersUnavailable });
  });
});

describe('RowSelection, with more providers than the page shows', () => {
  /** The rows handed over in batches of `batch`, as the listing reads them. */
  function selectRows(providers: ProviderStatusView[], batch = providers.length) {
    const rows = new RowSelection<ProviderStatusView>();
    for (let start = 0; start < providers.length; start += batch) rows.add(providers.slice(start, start + batch));
    return rows.result();
  }

  const healthy = (index: number): ProviderStatusView => ({
    ...refused,
    provider: `p${index}`,
    state: 'ok',
    last_error: null,
    consecutive_failures: 0,
  });

  it('shows those that need attention first, then healthy ones, in configuration order, and counts the rest', () => {
    const providers = Array.from({ length: MAX_PROVIDER_ROWS + 50 }, (_, index) => healthy(index));
    const late = providers.length - 1;
    providers[late] = { ...refused, provider: `p${late}` };
    providers[late - 1] = { ...healthy(late - 1), state: 'refreshing' };
    const { shown, notShown } = selectRows(providers);
    expect(shown).toHaveLength(MAX_PROVIDER_ROWS);
    expect(shown.at(-1)?.provider).toBe(`p${late}`); // the refused one, last in the file, made the page
    expect(shown.slice(0, -1)).toEqual(providers.slice(0, MAX_PROVIDER_ROWS - 1));
    expect(notShown).toEqual({ count: 50, needingAttention: 0 });
  });

  it('counts those needing attention that did not fit either', () => {
    const providers = Array.from({ length: MAX_PROVIDER_ROWS + 5 }, (_, index) => ({ ...refused, provider: `p${index}` }));
    expect(selectRows(providers).notShown).toEqual({ count: 5, needingAttention: 5 });
  });

  it.each([
    ['some', 7, { count: 800, needingAttention: 0 }],
    ['more than fit', 3, { count: 800, needingAttention: 134 }],
  ])('makes the same choice batch by batch as from the whole list, with %s needing attention', (_, every, notShown) => {
    const providers = Array.from({ length: 1_000 }, (_, index) =>
      index % every === 0 ? { ...refused, provider: `p${index}` } : healthy(index),
    );
    const attention = providers.filter((p) => p.state !== 'ok');
    const whole = selectRows(providers);
    expect(selectRows(providers, 64)).toEqual(whole);
    expect(whole.notShown).toEqual(notShown);
    // every row needing attention that fits, then healthy ones into the room left, in configuration order
    let room = Math.max(0, MAX_PROVIDER_ROWS - attention.length);
    const expected = providers.filter((p) => (p.state !== 'ok' ? attention.indexOf(p) < MAX_PROVIDER_ROWS : room-- > 0));
    expect(whole.shown).toEqual(expected);
  });

  it('leaves nothing out while every provider fits', () => {
    const providers = Array.from({ length: MAX_PROVIDER_ROWS }, (_, index) => healthy(index));
    expect(selectRows(providers)).toEqual({ shown: providers });
  });
});
