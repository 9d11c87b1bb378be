import { setTimeout as sleep } from 'node:timers/promises';
import { seriesValue } from '../../../test/support/metrics-text';
import { BrokerMetrics } from './broker-metrics.service';

describe('BrokerMetrics event-loop lag', () => {
  it('reports how long the loop was held, without the sampling interval on top', async () => {
    const metrics = new BrokerMetrics();
    await metrics.registry.metrics(); // a scrape starts the figures afresh
    await sleep(300);
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 40); // hold the event loop, as a long turn would
    await sleep(50);
    const text = await metrics.registry.metrics();

    expect(seriesValue(text, 'token_broker_nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.04);
    // an idle turn: a 10 ms sampling timer never reports less than 10 ms; the margin is for a loaded machine
    expect(seriesValue(text, 'token_broker_nodejs_eventloop_lag_p50_seconds')).toBeLessThan(0.009);
  });
});
