import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SlicedRegistry } from './sliced-registry';

function register(registry: Registry): void {
  const expiry = new Gauge({ name: 'expiry_seconds', help: 'per provider', labelNames: ['provider'], registers: [registry] });
  const refreshes = new Counter({
    name: 'refreshes_total',
    help: 'per "provider"\nand outcome',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  new Counter({ name: 'unused_total', help: 'no series yet', labelNames: ['provider'], registers: [registry] });
  new Histogram({ name: 'duration_seconds', help: 'all together', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
  const byRoute = new Histogram({ name: 'route_seconds', help: 'labelled', labelNames: ['route'], buckets: [0.1], registers: [registry] });
  byRoute.observe({ route: '/tokens' }, 0.05);
  byRoute.observe({ route: 'a\nb' }, 2);
  new Gauge({ name: 'odd_values', help: 'not numbers', labelNames: ['kind'], registers: [registry] }).set({ kind: 'inf' }, Infinity);
  for (let i = 0; i < 2_500; i += 1) {
    expiry.set({ provider: `p${i}` }, i);
    refreshes.inc({ provider: `p"${i}\\`, outcome: 'ok' });
  }
}

describe('SlicedRegistry', () => {
  it("renders exactly prom-client's text", async () => {
    const [plain, sliced] = [new Registry(), new SlicedRegistry()];
    register(plain);
    register(sliced);
    expect(await sliced.metrics()).toBe(await plain.metrics());
  });

  it('streams the text in chunks V8 keeps in the young generation (under 128 KiB each)', async () => {
    const [plain, sliced] = [new Registry(), new SlicedRegistry()];
    register(plain);
    register(sliced);
    const wide = new Gauge({ name: 'wide', help: 'long label values', labelNames: ['provider'], registers: [plain, sliced] });
    for (let i = 0; i < 3_000; i += 1) wide.set({ provider: `${'p'.repeat(120)}${i}` }, i);
    const chunks: string[] = [];
    for await (const chunk of sliced.chunks()) chunks.push(chunk);
    expect(chunks.join('')).toBe(await plain.metrics());
    expect(chunks.length).toBeGreaterThan(5);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(96 * 1024);
  });

  it('lets the event loop turn while it renders thousands of series', async () => {
    const registry = new SlicedRegistry();
    register(registry);
    let turns = 0;
    let rendered = false;
    const ticking = (async () => {
      while (!rendered) await new Promise((resolve) => setImmediate(resolve)).then(() => (turns += 1));
    })();
    await registry.metrics();
    rendered = true;
    await ticking;
    expect(turns).toBeGreaterThanOrEqual(4);
  });
});
