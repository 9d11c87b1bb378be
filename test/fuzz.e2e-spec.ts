import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import type { BrokerProcess } from './support/broker-process';
import { mb, processResources, seedAndWarm, settledResources, startFuzzBroker } from './support/fuzz-broker';
import { keepAliveAgent, send } from './support/fuzz-http';
import { runLanes, runVolumeBurst, type LaneResults } from './support/fuzz-lanes';
import { FuzzRandom, fuzzSeed } from './support/fuzz-random';
import { switchFaultsAtRandom } from './support/fuzz-upstream';
import { DEMO_CLIENT, fuzzSecrets, KEYS, upstreamFreeText } from './support/fuzz-world';
import { ISSUED_TOKEN_PATTERNS } from './support/test-secrets';

/** FUZZ_REQUESTS=<n> for a shorter run while developing; the suite sends 100,000. */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 100_000);
/**
 * The run takes about 1 ms of broker CPU per request, and the broker is one process: some 2 minutes
 * on this shared 2-core machine. This bound only catches a run that hangs or crawls.
 */
const MAX_SECONDS = 300;
const UPSTREAM_TIMEOUT_MS = 300;
/** Loopback addresses, one per lane: failed authentications are slowed per address. */
const ADDRESSES = { volume: '127.0.0.1', valid: '127.0.0.2', guessers: '127.0.0.3' };
const VOLUME = { volumeSockets: 16, pipelineDepth: 8 };
/**
 * V8 keeps the heap it has grown to, so resident memory does not fall back after the run: a leak
 * shows as growth while the same traffic goes on. A fifth more of it (20,000 requests) may add at
 * most this much, so a leak of more than about 1.6 KB a request fails.
 */
const MAX_GROWTH_BYTES = 32 * 1024 * 1024;

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

  beforeAll(
    async () => {
      console.log(`fuzz seed ${seed} (replay: FUZZ_SEED=${seed} npx jest test/fuzz.e2e-spec.ts)`);
      await Promise.all([flaky.start(), spare.start()]);
      broker = await startFuzzBroker(dir, {
        upstreams: { flaky: flaky.url, spare: spare.url },
        upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
        callerRateLimit: 5_000,
      });
      broker.onExit(({ code, signal }) => exits.push(`code ${code}, signal ${signal}`));
      await seedAndWarm(broker.port, rng.fork('warm-up'), ADDRESSES);
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
          rawWorkers: 3,
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
          `(${Math.round((counts.volume + counts.guesses + counts.raw) / seconds)}/s) ` +
          `(volume ${counts.volume}, wrong credentials ${counts.guesses}, raw ${counts.raw}, left open ${slow.ms.length} closed after ${slow.ms.join('/')} ms); ` +
          `valid callers ${valid.calls}\n${tally.report()}\n` +
          `broker RSS ${mb(before.rss)} before, ${mb(peak.rss)} at peak; open fds ${before.fds} before, ${peak.fds} at peak`,
      );
    },
    (MAX_SECONDS + 60) * 1000,
  );

  afterAll(async () => {
    await broker?.kill(); // after the graceful stop below, unless a test failed before it
    await Promise.all([flaky.stop(), spare.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`sent ${REQUESTS} requests in the volume lane alone, without hanging`, () => {
    expect(results.counts.volume).toBe(REQUESTS);
    expect(seconds).toBeLessThan(MAX_SECONDS);
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
      ADDRESSES.valid,
      5_000,
    );
    agent.destroy();
    expect(typeof answer === 'string' ? answer : answer.status).toBe(200);
  });

  it('gave back its connections, and its memory stops growing', async () => {
    const after = await settledResources(broker.pid!, before.fds + 8);
    const more = Math.floor(REQUESTS / 5);
    const answered = await runVolumeBurst({ port: broker.port, rng, addresses: ADDRESSES, ...VOLUME }, more);
    const again = await settledResources(broker.pid!, before.fds + 8);
    console.log(
      `broker RSS ${mb(after.rss)} after the run, ${mb(again.rss)} after ${answered} more requests; open fds ${after.fds}, then ${again.fds}`,
    );
    expect(after.fds).toBeLessThanOrEqual(before.fds + 8);
    expect(again.fds).toBeLessThanOrEqual(before.fds + 8);
    expect(answered).toBe(more);
    expect(again.rss).toBeLessThan(after.rss + MAX_GROWTH_BYTES);
  }, 120_000);

  it('stops gracefully, having logged no secret, no upstream text and no token', async () => {
    await broker.kill('SIGTERM'); // flushes the buffered log lines, so every line is checked
    expect(exits).toEqual(['code null, signal SIGTERM']); // Nest re-raises the signal once its shutdown hooks are done
    const leaks = secrets.filter((secret) => broker.output.includes(secret)).map((secret) => `${secret.slice(0, 6)}…`);
    const tokens = ISSUED_TOKEN_PATTERNS.filter((pattern) => pattern.test(broker.output)).map(String);
    expect([...leaks, ...tokens]).toEqual([]);
    expect(broker.output.split('\n').length).toBeGreaterThan(REQUESTS); // one line per request at least: the logs were really read
  });
});
