import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import type { BrokerProcess } from './support/broker-process';
import { startFuzzBroker, processResources } from './support/fuzz-broker';
import { keepAliveAgent, send } from './support/fuzz-http';
import { runLanes, type LaneResults } from './support/fuzz-lanes';
import { FuzzRandom, fuzzSeed } from './support/fuzz-random';
import { volumeRequest } from './support/fuzz-requests';
import { switchFaultsAtRandom } from './support/fuzz-upstream';
import { DEMO_CLIENT, fuzzSecrets, KEYS, upstreamFreeText } from './support/fuzz-world';
import { ISSUED_TOKEN_PATTERNS } from './support/test-secrets';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 100_000);
const UPSTREAM_TIMEOUT_MS = 300;
/** Loopback addresses, one per lane: failed authentications are slowed per address. */
const ADDRESSES = { volume: '127.0.0.1', valid: '127.0.0.2', guessers: '127.0.0.3' };
const VALID_ADDRESS = ADDRESSES.valid;

/**
 * 100,000 random requests (every route, odd methods and paths, huge, duplicated and malformed
 * headers, hostile bodies), wrong credentials, malformed bytes on raw sockets and half-sent
 * requests, against a real broker process on real Redis whose two upstreams switch between faults
 * at random, while valid callers from another address fetch their token. Replay a run with
 * FUZZ_SEED=<the seed it printed>.
 */
describe('fuzz run', () => {
  const seed = fuzzSeed();
  const rng = new FuzzRandom(seed);
  const freeText = upstreamFreeText(seed);
  const secrets = fuzzSecrets(seed);
  const flaky = new SmartDocumentorSimulator(DEMO_CLIENT);
  const spare = new SmartDocumentorSimulator(DEMO_CLIENT);
  const dir = mkdtempSync(join(tmpdir(), 'tb-fuzz-'));
  const exits: string[] = [];
  let broker: BrokerProcess;
  let results: LaneResults;
  let before: { rss: number; fds: number };
  let peak = { rss: 0, fds: 0 };
  let seconds = 0;

  beforeAll(async () => {
    console.log(`fuzz seed ${seed} (replay: FUZZ_SEED=${seed} npx jest test/fuzz.e2e-spec.ts)`);
    await Promise.all([flaky.start(), spare.start()]);
    broker = await startFuzzBroker(dir, {
      upstreams: { flaky: flaky.url, spare: spare.url },
      upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
      callerRateLimit: 5_000,
    });
    broker.onExit(({ code, signal }) => exits.push(`code ${code}, signal ${signal}`));
    await seedAndWarm(broker.port, rng.fork('warm-up'));
    before = await settledResources(broker.pid!);

    const faults = switchFaultsAtRandom(rng.fork('upstream'), [flaky, spare], freeText, UPSTREAM_TIMEOUT_MS);
    const sampler = setInterval(() => {
      const now = processResources(broker.pid!);
      peak = { rss: Math.max(peak.rss, now.rss), fds: Math.max(peak.fds, now.fds) };
    }, 250);
    const started = Date.now();
    try {
      results = await runLanes({
        port: broker.port,
        rng,
        secrets,
        requests: REQUESTS,
        volumeSockets: 16,
        pipelineDepth: 8,
        guessers: 272,
        rawWorkers: 4,
        addresses: ADDRESSES,
      });
    } finally {
      seconds = (Date.now() - started) / 1000;
      clearInterval(sampler);
      console.log(`faults switched ${faults.stop()} times; upstream calls: flaky ${flaky.received}, spare ${spare.received}`);
    }
    const { counts, tally, valid, slow } = results;
    console.log(
      `fuzz seed ${seed}: ${counts.volume + counts.guesses + counts.raw} requests in ${seconds.toFixed(1)} s ` +
        `(volume ${counts.volume}, wrong credentials ${counts.guesses}, raw ${counts.raw}, left open ${slow.ms.length} closed after ${slow.ms.join('/')} ms); ` +
        `valid callers ${valid.calls}\n${tally.report()}\n` +
        `broker RSS ${mb(before.rss)} before, ${mb(peak.rss)} at peak; open fds ${before.fds} before, ${peak.fds} at peak`,
    );
  }, 240_000);

  afterAll(async () => {
    await broker?.kill();
    await Promise.all([flaky.stop(), spare.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sent at least 100,000 requests, well within a minute', () => {
    expect(results.counts.volume).toBe(REQUESTS);
    expect(seconds).toBeLessThan(60);
  });

  it('answered every request with a documented status, the {"error","message"} shape or a token, and no secret', () => {
    expect(results.tally.problems).toEqual([]);
    expect(results.tally.problemCount).toBe(0);
    expect(results.slow.problems).toEqual([]);
  });

  it('served every interleaved valid caller its token', () => {
    expect(results.valid.calls).toBeGreaterThan(100);
    expect(results.valid.failures).toEqual([]);
  });

  it('never crashed, and still serves', async () => {
    expect(exits).toEqual([]);
    expect(broker.running).toBe(true);
    const agent = keepAliveAgent(1);
    const answer = await send(
      broker.port,
      agent,
      { routeClass: 'tokens', method: 'GET', path: '/tokens/flaky', headers: { authorization: `Bearer ${KEYS.valid}` } },
      VALID_ADDRESS,
      5_000,
    );
    agent.destroy();
    expect(typeof answer === 'string' ? answer : answer.status).toBe(200);
  });

  it('gave back its connections and memory', async () => {
    const after = await settledResources(broker.pid!, before.fds + 8);
    console.log(`broker after the run: RSS ${mb(after.rss)}, open fds ${after.fds}`);
    expect(after.fds).toBeLessThanOrEqual(before.fds + 8);
    expect(after.rss).toBeLessThan(before.rss + 100 * 1024 * 1024);
  });

  it('logged no secret, no upstream text and no token', () => {
    const leaks = secrets.filter((secret) => broker.output.includes(secret)).map((secret) => `${secret.slice(0, 6)}…`);
    const tokens = ISSUED_TOKEN_PATTERNS.filter((pattern) => pattern.test(broker.output)).map(String);
    expect([...leaks, ...tokens]).toEqual([]);
    expect(broker.output.split('\n').length).toBeGreaterThan(REQUESTS); // one line per request at least: the logs were really read
  });
});

/** Stores credentials for both providers, fetches their tokens (cached for an hour), and runs a short warm-up. */
async function seedAndWarm(port: number, rng: FuzzRandom): Promise<void> {
  const agent = keepAliveAgent(8);
  const body = JSON.stringify({ client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret });
  for (const provider of ['flaky', 'spare']) {
    const put = await send(
      port,
      agent,
      {
        routeClass: 'admin',
        method: 'PUT',
        path: `/admin/credentials/${provider}`,
        headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
        body,
      },
      VALID_ADDRESS,
      5_000,
    );
    expect(typeof put === 'string' ? put : put.status).toBe(204);
    const token = await send(
      port,
      agent,
      { routeClass: 'tokens', method: 'GET', path: `/tokens/${provider}`, headers: { authorization: `Bearer ${KEYS.valid}` } },
      VALID_ADDRESS,
      5_000,
    );
    expect(typeof token === 'string' ? token : token.status).toBe(200);
  }
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 250; i += 1) await send(port, agent, volumeRequest(rng), '127.0.0.1', 15_000);
    }),
  );
  agent.destroy();
}

/** The process's resources once its connection count has settled (below `fdsAtMost`, or steady). */
async function settledResources(pid: number, fdsAtMost = 0, timeoutMs = 15_000): Promise<{ rss: number; fds: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = processResources(pid);
  for (;;) {
    await sleep(500);
    const now = processResources(pid);
    if ((fdsAtMost && now.fds <= fdsAtMost) || (!fdsAtMost && now.fds === last.fds) || Date.now() > deadline) return now;
    last = now;
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
