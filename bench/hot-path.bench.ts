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
/**
 * Every target is measured in `rounds` interleaved rounds and reported by its median round, so a
 * burst of load from elsewhere on the machine lands on one round of one target, not on a whole row.
 */
export async function benchHotPath(scene: BenchScene, seconds: number, connections: number, rounds = 3): Promise<HotPathRow[]> {
  const [withRedis] = await scene.startBrokers(['hot'], 1);
  const [embedded] = await scene.startBrokers(['hot'], 1, { embedded: true });
  await scene.seed(withRedis, ['hot']);
  await scene.seed(embedded, ['hot']);
  for (const broker of [withRedis, embedded])
    if ((await fetchToken(tokenUrl(broker.url, 'hot'))).status !== 200) throw new Error('broker did not serve a token');

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
  const results = new Map<string, autocannon.Result[]>(targets.map(([target]) => [target, []]));
  try {
    for (const [, base] of targets) await run(tokenUrl(base, 'hot'), Math.min(2, seconds), connections); // warm-up: JIT, pools
    for (let round = 0; round < rounds; round += 1) {
      for (const [target, base] of targets) results.get(target)!.push(await run(tokenUrl(base, 'hot'), seconds, connections));
    }
  } finally {
    baselines.forEach((child) => child.kill());
  }
  return targets.map(([target]) => {
    const runs = results.get(target)!;
    const median = [...runs].sort((a, b) => a.requests.average - b.requests.average)[Math.floor(runs.length / 2)];
    return {
      target,
      requestsPerSecond: Math.round(median.requests.average),
      p50Ms: median.latency.p50,
      p99Ms: median.latency.p99,
      errors: runs.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    };
  });
}

function run(url: string, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${CALLER_KEY}` } });
}
