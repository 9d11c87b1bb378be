import { processUsage } from './bench-support';
import { BenchScene, fetchToken, tokenUrl } from './environment';

export interface ScaleResult {
  instances: number;
  lifetimeSeconds: number;
  windows: Array<{ seconds: number; upstreamCalls: number }>;
  cpuPercent: number;
  rssMb: number;
  samples: number;
  expiredServed: number;
}

/**
 * `instances` providers whose tokens live `lifetime` s (pre-refreshed at 50%): every refresh window
 * should cost exactly one upstream call per instance, and no sampled GET may return an expired token.
 */
export async function benchSchedulerScale(scene: BenchScene, instances: number, lifetime: number, windows: number): Promise<ScaleResult> {
  const ids = Array.from({ length: instances }, (_, i) => `p${String(i).padStart(4, '0')}`);
  const [broker] = await scene.startBrokers(ids, 1, { refreshBefore: '50%' });
  await scene.seed(broker, ids);
  const waitFor = Date.now() + 30_000;
  while (scene.simulator.tokens.count < instances && Date.now() < waitFor) await new Promise((resolve) => setTimeout(resolve, 100));

  const window = (lifetime / 2) * 1000;
  let sampling = true;
  let samples = 0;
  let expiredServed = 0;
  const sampler = (async () => {
    while (sampling) {
      const id = ids[Math.floor(Math.random() * ids.length)];
      const answer = await fetchToken(tokenUrl(broker.url, id));
      samples += 1;
      if (answer.status === 200 && !scene.simulator.tokens.isValid(answer.token!)) expiredServed += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();

  const cpuBefore = processUsage(broker.pid!).cpuSeconds;
  const started = Date.now();
  const counts: ScaleResult['windows'] = [];
  for (let w = 0; w < windows; w += 1) {
    const calls = scene.simulator.callsTo('/connect/token').length;
    await new Promise((resolve) => setTimeout(resolve, window));
    counts.push({ seconds: window / 1000, upstreamCalls: scene.simulator.callsTo('/connect/token').length - calls });
  }
  const usage = processUsage(broker.pid!);
  sampling = false;
  await sampler;
  return {
    instances,
    lifetimeSeconds: lifetime,
    windows: counts,
    cpuPercent: Math.round(((usage.cpuSeconds - cpuBefore) / ((Date.now() - started) / 1000)) * 1000) / 10,
    rssMb: Math.round(usage.rssMb),
    samples,
    expiredServed,
  };
}
