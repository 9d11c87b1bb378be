import { SmartDocumentorSimulator } from '@app/providers/testing';
import { RedisServer } from './support/redis-server';
import { BrokerHarness, getToken, putCredentials, startBroker, uniquePrefix } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };

/** Several broker instances sharing one real Redis and one credentials file. */
describe('replicas on one Redis', () => {
  const redis = new RedisServer();
  const simulator = new SmartDocumentorSimulator(DEMO);
  let brokers: BrokerHarness[] = [];

  beforeAll(async () => {
    await Promise.all([redis.start(), simulator.start()]);
  });

  afterEach(async () => {
    await Promise.all(brokers.map((broker) => broker.close()));
    brokers = [];
  });

  afterAll(async () => {
    await Promise.all([redis.stop(), simulator.stop()]);
  });

  async function startPair(): Promise<BrokerHarness[]> {
    const prefix = uniquePrefix();
    const providersYaml = `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`;
    const first = await startBroker({ providersYaml, redisUrl: redis.url, redisKeyPrefix: prefix, env: { REFRESH_TICK_MS: '60000' } });
    const second = await startBroker({ providersYaml, redisUrl: redis.url, redisKeyPrefix: prefix, dir: first.dir, env: { REFRESH_TICK_MS: '60000' } });
    brokers = [first, second];
    return brokers;
  }

  it('makes exactly one upstream call for 200 concurrent requests on a cold token across two instances', async () => {
    const [a, b] = await startPair();
    await putCredentials(a, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the pre-warm triggered by the PUT settle
    const before = simulator.callsTo('/connect/token').length;
    await redisDel(redis.url, `${a.env.REDIS_KEY_PREFIX}{sd}:token`);

    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => getToken(i % 2 ? a : b, 'sd')));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(new Set(responses.map((r) => r.body.access_token)).size).toBe(1);
    expect(simulator.callsTo('/connect/token').length - before).toBe(1);
  });

  it('answers 503 quickly while Redis is down and recovers when it is back', async () => {
    const [a] = await startPair();
    await putCredentials(a, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await redis.kill();
    try {
      const started = Date.now();
      const res = await getToken(a, 'sd').expect(503);
      expect(res.body.error).toBe('token_store_unavailable');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await redis.start();
    }
    await waitForStatus(a, 'sd', 200);
  });
});

async function redisDel(url: string, key: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url);
  await client.del(key);
  await client.quit();
}

async function waitForStatus(broker: BrokerHarness, provider: string, status: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await getToken(broker, provider)).status !== status) {
    if (Date.now() > deadline) throw new Error(`GET /tokens/${provider} never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
