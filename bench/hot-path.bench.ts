import autocannon from 'autocannon';
import { ChildProcess } from 'node:child_process';
import { freePort } from '../test/support/redis-server';
import { answerToReplay, median, medianBy, processUsage, spawnNode, untilAnswering } from './bench-support';
import { BenchScene, CALLER_KEY, fetchToken, tokenUrl } from './environment';

/** The row every ratio is taken against: the practical limit of a Redis-backed answer. */
export const BARE_BASELINE = 'bare Fastify + one ioredis GET';
/**
 * The same limit for the broker's own answer: its security headers, request id and cache-control
 * are seven headers (about 235 bytes) the bare answer lacks, and the load generator shares the
 * machine, so those bytes cost throughput on both sides of the socket.
 */
export const SAME_ANSWER_BASELINE = "bare Fastify + one ioredis GET, the broker's headers and body";

export interface HotPathRow {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU time the server process spent per answered request (median round): unlike req/s, barely moved by other load on the machine. */
  cpuMicrosPerRequest: number;
  /** Req/s and p99 of each round in order: round i of every target ran within seconds of each other's. */
  roundRequestsPerSecond: number[];
  roundP99Ms: number[];
}

/**
 * GET /tokens with a valid cached token, against bare-Fastify baselines and a minimal Nest app,
 * same machine, same run.
 *
 * Every target is measured in `rounds` interleaved rounds and reported by its median round, so a
 * burst of load from elsewhere on the machine lands on one round of one target, not on a whole row.
 */
export async function benchHotPath(scene: BenchScene, seconds: number, connections: number, rounds = 3): Promise<HotPathRow[]> {
  const [withRedis] = await scene.startBrokers(['hot'], 1);
  const [embedded] = await scene.startBrokers(['hot'], 1, { embedded: true });
  await scene.seed(withRedis, ['hot']);
  await scene.seed(embedded, ['hot']);
  if ((await fetchToken(tokenUrl(embedded.url, 'hot'))).status !== 200) throw new Error('broker did not serve a token');
  const brokerAnswer = await answerToReplay(tokenUrl(withRedis.url, 'hot'), `Bearer ${CALLER_KEY}`);

  const baselines: ChildProcess[] = [];
  const baseline = async (script: string, args: string[], env: Record<string, string> = {}): Promise<[string, number]> => {
    const port = await freePort();
    const child = spawnNode(script, [...args.map((arg) => arg.replace('PORT', String(port)))], env);
    baselines.push(child);
    await untilAnswering(`http://127.0.0.1:${port}/`);
    return [`http://127.0.0.1:${port}`, child.pid!];
  };
  const targets: Array<[string, [string, number]]> = [
    [BARE_BASELINE, await baseline('baseline-server.js', ['redis', 'PORT', scene.redis.url])],
    [
      SAME_ANSWER_BASELINE,
      await baseline('baseline-server.js', ['redis', 'PORT', scene.redis.url], { BASELINE_ANSWER: JSON.stringify(brokerAnswer) }),
    ],
    ['minimal Nest 11 on Fastify, one controller, one ioredis GET', await baseline('minimal-nest-server.js', ['PORT', scene.redis.url])],
    ['broker, Redis mode', [withRedis.url, withRedis.pid!]],
    ['broker, embedded mode (no Redis)', [embedded.url, embedded.pid!]],
    ['bare Fastify + in-process value', await baseline('baseline-server.js', ['memory', 'PORT'])],
  ];
  const results = new Map<string, Round[]>(targets.map(([target]) => [target, []]));
  try {
    for (const [, [base, pid]] of targets) await run(tokenUrl(base, 'hot'), pid, Math.min(2, seconds), connections); // warm-up: JIT, pools
    for (let round = 0; round < rounds; round += 1) {
      for (const [target, [base, pid]] of targets) results.get(target)!.push(await run(tokenUrl(base, 'hot'), pid, seconds, connections));
    }
  } finally {
    baselines.forEach((child) => child.kill());
  }
  return targets.map(([target]) => {
    const runs = results.get(target)!;
    const middle = medianBy(runs, (r) => r.result.requests.average);
    const cpu = median(runs.map((r) => r.cpuMicrosPerRequest));
    return {
      target,
      requestsPerSecond: Math.round(middle.result.requests.average),
      p50Ms: middle.result.latency.p50,
      p99Ms: middle.result.latency.p99,
      errors: runs.reduce((sum, r) => sum + r.result.errors + r.result.non2xx, 0),
      cpuMicrosPerRequest: cpu,
      roundRequestsPerSecond: runs.map((r) => r.result.requests.average),
      roundP99Ms: runs.map((r) => r.result.latency.p99),
    };
  });
}

interface Round {
  result: autocannon.Result;
  cpuMicrosPerRequest: number;
}

async function run(url: string, pid: number, seconds: number, connections: number): Promise<Round> {
  const before = processUsage(pid).cpuSeconds;
  const result = await autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${CALLER_KEY}` } });
  const cpuSeconds = processUsage(pid).cpuSeconds - before;
  return { result, cpuMicrosPerRequest: Math.round((cpuSeconds * 1e6) / Math.max(1, result.requests.total)) };
}
