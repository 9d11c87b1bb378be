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
