import autocannon from 'autocannon';
import { medianBy, processUsage } from './bench-support';
import { BenchScene, CALLER_KEY, fetchToken, tokenUrl } from './environment';

export interface ReplicaRow {
  replicas: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Connection errors by code (e.g. ECONNRESET) over every round, and the count of non-2xx answers. */
  errorKinds: string;
  /** CPU per second of the run, in % of one core: all brokers together, redis-server, the load generator (this process). */
  brokersCpu: number;
  redisCpu: number;
  generatorCpu: number;
}

interface Round {
  result: autocannon.Result;
  errorCodes: Map<string, number>;
  brokersCpu: number;
  redisCpu: number;
  generatorCpu: number;
}

/**
 * GET /tokens with a cached token from 1, 2 and 3 broker replicas on one Redis, one load generator
 * spreading its connections round-robin over the replicas (as a layer-4 balancer would). Rounds are
 * interleaved and reported by their median, as in the hot-path section.
 */
export async function benchReplicas(
  scene: BenchScene,
  seconds: number,
  connections: number,
  rounds: number,
  counts = [1, 2, 3],
): Promise<ReplicaRow[]> {
  const brokers = await scene.startBrokers(['hot'], Math.max(...counts));
  await scene.seed(brokers[0], ['hot']);
  for (const broker of brokers)
    if ((await fetchToken(tokenUrl(broker.url, 'hot'))).status !== 200) throw new Error('a replica did not serve a token');

  const results = new Map<number, Round[]>(counts.map((count) => [count, []]));
  const measure = async (count: number, duration: number): Promise<Round> => {
    const pids = [...brokers.slice(0, count).map((broker) => broker.pid!), scene.redis.pid!];
    const cpuBefore = pids.map((pid) => processUsage(pid).cpuSeconds);
    const generatorBefore = process.cpuUsage();
    const started = Date.now();
    const { result, errorCodes } = await run(
      brokers.slice(0, count).map((broker) => tokenUrl(broker.url, 'hot')),
      duration,
      connections,
    );
    const elapsed = (Date.now() - started) / 1000;
    const used = pids.map((pid, index) => processUsage(pid).cpuSeconds - cpuBefore[index]);
    const generator = process.cpuUsage(generatorBefore);
    const percent = (cpuSeconds: number) => Math.round((cpuSeconds / elapsed) * 100);
    return {
      result,
      errorCodes,
      brokersCpu: percent(used.slice(0, count).reduce((sum, value) => sum + value, 0)),
      redisCpu: percent(used[count]),
      generatorCpu: percent((generator.user + generator.system) / 1e6),
    };
  };
  for (const count of counts) await measure(count, Math.min(2, seconds)); // warm-up: JIT, pools
  for (let round = 0; round < rounds; round += 1) {
    for (const count of counts) results.get(count)!.push(await measure(count, seconds));
  }
  return counts.map((count) => {
    const runs = results.get(count)!;
    const middle = medianBy(runs, (r) => r.result.requests.average);
    return {
      replicas: count,
      requestsPerSecond: Math.round(middle.result.requests.average),
      p50Ms: middle.result.latency.p50,
      p99Ms: middle.result.latency.p99,
      errors: runs.reduce((sum, r) => sum + r.result.errors + r.result.non2xx, 0),
      errorKinds: errorKinds(runs),
      brokersCpu: middle.brokersCpu,
      redisCpu: middle.redisCpu,
      generatorCpu: middle.generatorCpu,
    };
  });
}

/** One autocannon run over `urls`, with the connection errors it met counted by code (autocannon only counts them). */
function run(
  urls: string[],
  seconds: number,
  connections: number,
): Promise<{ result: autocannon.Result; errorCodes: Map<string, number> }> {
  // autocannon takes several URLs and gives connection i the URL i % n; its types say string only
  const url = urls as unknown as string;
  const errorCodes = new Map<string, number>();
  return new Promise((resolve, reject) => {
    const options = { url, connections, duration: seconds, headers: { authorization: `Bearer ${CALLER_KEY}` } };
    const instance = autocannon(options, (error, result) => (error ? reject(error as Error) : resolve({ result, errorCodes })));
    instance.on('reqError', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
    });
  });
}

function errorKinds(runs: Round[]): string {
  const kinds = new Map<string, number>();
  for (const { result, errorCodes } of runs) {
    for (const [code, count] of errorCodes) kinds.set(code, (kinds.get(code) ?? 0) + count);
    if (result.non2xx > 0) kinds.set('non-2xx', (kinds.get('non-2xx') ?? 0) + result.non2xx);
  }
  return [...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ');
}
