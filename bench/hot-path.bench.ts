import autocannon from 'autocannon';
import { ChildProcess } from 'node:child_process';
import { freePort } from '../test/support/redis-server';
import { spawnNode, untilAnswering } from './bench-support';
import { BenchScene, CALLER_KEY, fetchToken, tokenUrl } from './environment';

export interface HotPathRow {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** GET /tokens with a valid cached token, against two bare-Fastify baselines, same machine, same run. */
export async function benchHotPath(scene: BenchScene, seconds: number, connections: number): Promise<HotPathRow[]> {
  const [withRedis] = await scene.startBrokers(['hot'], 1);
  const [embedded] = await scene.startBrokers(['hot'], 1, { embedded: true });
  await scene.seed(withRedis, ['hot']);
  await scene.seed(embedded, ['hot']);
  for (const broker of [withRedis, embedded]) if ((await fetchToken(tokenUrl(broker.url, 'hot'))).status !== 200) throw new Error('broker did not serve a token');

  const baselines: ChildProcess[] = [];
  const baselineUrl = async (mode: 'redis' | 'memory') => {
    const port = await freePort();
    baselines.push(spawnNode('baseline-server.js', [mode, String(port), scene.redis.url]));
    await untilAnswering(`http://127.0.0.1:${port}/`);
    return `http://127.0.0.1:${port}`;
  };
  const targets: Array<[string, string]> = [
    ['broker, Redis token store', withRedis.url],
    ['broker, embedded (no Redis)', embedded.url],
    ['baseline: Fastify + one ioredis GET', await baselineUrl('redis')],
    ['baseline: Fastify + in-process value', await baselineUrl('memory')],
  ];
  const rows: HotPathRow[] = [];
  try {
    for (const [target, base] of targets) {
      const url = tokenUrl(base, 'hot');
      await run(url, Math.min(2, seconds), connections); // warm-up: JIT, connection pools
      const result = await run(url, seconds, connections);
      rows.push({
        target,
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors + result.non2xx,
      });
    }
  } finally {
    baselines.forEach((child) => child.kill());
  }
  return rows;
}

function run(url: string, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${CALLER_KEY}` } });
}
