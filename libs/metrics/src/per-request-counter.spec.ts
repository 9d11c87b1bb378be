import { Registry } from 'prom-client';
import { PerRequestCounter } from './per-request-counter';

describe('PerRequestCounter', () => {
  function counterOn(registry: Registry): PerRequestCounter<'route' | 'status'> {
    return new PerRequestCounter({ name: 'requests_total', help: 'h', labelNames: ['route', 'status'], registers: [registry] });
  }

  it('hands prom-client the count of each label set at every scrape, without counting twice', async () => {
    const registry = new Registry();
    const counter = counterOn(registry);
    counter.inc({ route: '/a', status: '200' });
    counter.inc({ route: '/a', status: '200' });
    counter.inc({ route: '/a', status: '404' });
    expect(await registry.metrics()).toContain('requests_total{route="/a",status="200"} 2');
    counter.inc({ route: '/a', status: '200' });
    const text = await registry.metrics();
    expect(text).toContain('requests_total{route="/a",status="200"} 3');
    expect(text).toContain('requests_total{route="/a",status="404"} 1');
  });

  it('keeps label values apart that would run together if joined', async () => {
    const registry = new Registry();
    const counter = counterOn(registry);
    counter.inc({ route: 'a', status: 'b' });
    counter.inc({ route: 'ab', status: '' });
    const text = await registry.metrics();
    expect(text).toContain('requests_total{route="a",status="b"} 1');
    expect(text).toContain('requests_total{route="ab",status=""} 1');
  });
});
