import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerHarness, startBroker, TEST_MASTER_KEY, testRedisUrl, uniquePrefix } from './support/broker-harness';
import { writeCredentialsFile } from './support/credentials-file';
import { rawMonitor } from './support/redis-monitor';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CLIENT = { clientId: 'scale-client', clientSecret: TEST_SECRETS.clientSecret };
const PROVIDERS = 500;

/** SmartDocumentor providers `ids` on `simulator`, their credentials seeded before a broker on the test Redis starts. */
class Fleet {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tb-scale-'));
  private broker?: BrokerHarness;

  constructor(
    private readonly simulator: SmartDocumentorSimulator,
    private readonly ids: string[],
  ) {}

  async start(options: { refreshBefore?: string; redisKeyPrefix?: string }): Promise<BrokerHarness> {
    await this.simulator.start();
    writeCredentialsFile(join(this.dir, 'credentials.enc'), TEST_MASTER_KEY, this.ids, {
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
    const refreshBefore = options.refreshBefore ? `, refreshBefore: ${options.refreshBefore}` : '';
    const providers = this.ids.map((id) => `  ${id}: { type: smartdocumentor, baseUrl: "${this.simulator.url}"${refreshBefore} }`);
    this.broker = await startBroker({
      providersYaml: `providers:\n${providers.join('\n')}\n`,
      dir: this.dir,
      redisUrl: testRedisUrl(),
      redisKeyPrefix: options.redisKeyPrefix,
      env: { LOG_LEVEL: 'warn' },
    });
    return this.broker;
  }

  async stop(): Promise<void> {
    await this.broker?.close();
    await this.simulator.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Many providers, their credentials seeded before start, pre-warmed by the scheduler on one Redis. */
describe('a broker with 500 providers', () => {
  const simulator = new SmartDocumentorSimulator(CLIENT);
  const prefix = uniquePrefix();
  const fleet = new Fleet(
    simulator,
    Array.from({ length: PROVIDERS }, (_, i) => `s${String(i).padStart(4, '0')}`),
  );
  let broker: BrokerHarness;

  beforeAll(async () => {
    broker = await fleet.start({ redisKeyPrefix: prefix });
    await waitFor(() => simulator.tokens.count >= PROVIDERS, 20_000);
  }, 40_000);
  afterAll(() => fleet.stop());

  it('answers a scrape of /metrics without reading the token store for tokens it holds', async () => {
    // per-provider reads only: a refresh still finishing from the pre-warm writes and locks, and those are not the scrape's
    const reads: string[] = [];
    const perProviderRead = new RegExp(`"get" "${prefix}\\{[^}]+\\}:(token|status)"$`, 'i');
    const monitor = await rawMonitor(testRedisUrl(), (line) => {
      if (perProviderRead.test(line)) reads.push(line);
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100)); // MONITOR sees only what comes after it
      const res = await fetch(`${broker.url}/metrics`);
      expect(res.status).toBe(200);
      await res.text();
      expect(reads.length).toBeLessThan(PROVIDERS / 10);
    } finally {
      monitor.destroy();
    }
  });

  it('keeps the scrape to a few lines per provider', async () => {
    const text = await (await fetch(`${broker.url}/metrics`)).text();
    expect(text).toMatch(/token_broker_token_seconds_to_expiry\{provider="s0499"\} [1-9]/);
    expect(text.length / PROVIDERS).toBeLessThan(400);
  });
});

describe('a fleet pre-warmed at once', () => {
  const simulator = new SmartDocumentorSimulator(CLIENT, { tokenLifetimeSeconds: 4 });
  const ids = Array.from({ length: 200 }, (_, i) => `w${String(i).padStart(3, '0')}`);
  const fleet = new Fleet(simulator, ids);

  beforeAll(() => fleet.start({ refreshBefore: '50%' }));
  afterAll(() => fleet.stop());

  it('refreshes it evenly over the refresh window, not in the bursts it was pre-warmed in', async () => {
    await waitFor(() => simulator.tokens.count >= ids.length, 15_000);
    // pre-warm took about 1 s of the 2 s window; the first refreshes after it spread the phases
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const buckets = new Array<number>(8).fill(0);
    const start = Date.now();
    let seen = simulator.received;
    while (Date.now() - start < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      buckets[Math.min(7, Math.floor((Date.now() - start) / 250))] += simulator.received - seen;
      seen = simulator.received;
    }
    const mean = buckets.reduce((sum, calls) => sum + calls, 0) / buckets.length;
    expect(mean).toBeGreaterThan(ids.length / 8 / 2); // about one refresh per provider in the 2 s window
    // pre-warmed in bursts, half the buckets were empty (0,0,0,0,19,38,47,93); spread, none is, even on a loaded machine
    expect(Math.min(...buckets)).toBeGreaterThan(0);
  }, 30_000);
});
