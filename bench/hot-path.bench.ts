import autocannon from 'autocannon';
import { ChildProcess } from 'node:child_process';
import { freePort } from '../test/support/redis-server';
import { spawnNode, untilAnswering } from './bench-support';
import { BenchScene, CALLER_KEY, fetchToken, tokenUrl } from './environment';

/** The row every ratio is taken against: the practical limit of a Redis-backed answer. */
export const BARE_BASELINE = 'bare Fastify + one ioredis GET';

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
  const baselineUrl = async (script: string, args: string[]) => {
    const port = await freePort();
    baselines.push(spawnNode(script, [...args.map((arg) => arg.replace('PORT', String(port)))]));
    await untilAnswering(`http://127.0.0.1:${port}/`);
    return `http://127.0.0.1:${port}`;
  };
  const targets: Array<[string, string]> = [
    [BARE_BASELINE, await baselineUrl('baseline-server.js', ['redis', 'PORT', scene.redis.url])],
    ['minimal Nest 11 on Fastify, one controller, one ioredis GET', await baselineUrl('minimal-nest-server.js', ['PORT', scene.redis.url])],
    ['broker, Redis mode', withRedis.url],
    ['broker, embedded mode (no Redis)', embedded.url],
    ['bare Fastify + in-process value', await baselineUrl('baseline-server.js', ['memory', 'PORT'])],
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
