import { SmartDocumentorSimulator } from '@app/providers/testing';
import { TOKEN_STORE, type TokenStore } from '@app/token-store';
import { RedisServer } from './support/redis-server';
import Redis from 'ioredis';
import request from 'supertest';
import { ADMIN_TOKEN, BrokerHarness, getToken, putCredentials, startBroker, uniquePrefix } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

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
    const second = await startBroker({
      providersYaml,
      redisUrl: redis.url,
      redisKeyPrefix: prefix,
      dir: first.dir,
      env: { REFRESH_TICK_MS: '60000' },
    });
    brokers = [first, second];
    return brokers;
  }

  it('makes exactly one upstream call for 200 concurrent requests on a cold token across two instances', async () => {
    const [a, b] = await startPair();
    await putCredentials(a, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the pre-warm triggered by the PUT settle
    const before = simulator.callsTo('/connect/token').length;
    await a.app.get<TokenStore>(TOKEN_STORE).delete('sd'); // announced: both replicas' near-caches drop it
    await new Promise((resolve) => setTimeout(resolve, 50)); // one pub/sub delivery

    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => getToken(i % 2 ? a : b, 'sd')));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(new Set(responses.map((r) => r.body.access_token)).size).toBe(1);
    expect(simulator.callsTo('/connect/token').length - before).toBe(1);
  });

  it('serves a token another replica refreshed within one announcement, and reads through while it may miss them', async () => {
    const [a, b] = await startPair();
    await putCredentials(a, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    const first = (await waitForToken(b, 'sd')).body.access_token;
    expect((await getToken(b, 'sd').expect(200)).body.access_token).toBe(first); // from b's near-cache now

    await request(a.url).post('/tokens/sd/refresh').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = (await getToken(b, 'sd').expect(200)).body.access_token;
    expect(second).not.toBe(first);

    await killSubscriptions(redis.url); // both replicas lose their announcement subscription
    await request(a.url).post('/tokens/sd/refresh').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    const third = (await getToken(b, 'sd').expect(200)).body.access_token;
    expect(third).not.toBe(second);
  });

  it("serves a token it knows is still good when another replica's refresh outlasts the lock wait", async () => {
    const prefix = uniquePrefix();
    const providersYaml = `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`;
    const broker = await startBroker({
      providersYaml,
      redisUrl: redis.url,
      redisKeyPrefix: prefix,
      env: { REFRESH_TICK_MS: '60000', LOCK_WAIT_MS: '200' },
    });
    brokers = [broker];
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    const known = (await waitForToken(broker, 'sd')).body.access_token;
    // Redis lost the token (as after a restart) while another replica holds the refresh lock for long
    const client = new Redis(redis.url);
    await client.set(`${prefix}{sd}:refresh:lock`, 'another-replica', 'PX', 10_000);
    await client.quit();
    await broker.app.get<TokenStore>(TOKEN_STORE).delete('sd');
    const res = await getToken(broker, 'sd').expect(200);
    expect(res.body.access_token).toBe(known);
  });

  it('hands a waiting caller the token another replica stored, without waiting for the lock to come free', async () => {
    const [a, b] = await startPair();
    await putCredentials(a, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await waitForToken(a, 'sd');
    await a.app.get<TokenStore>(TOKEN_STORE).delete('sd');
    const client = new Redis(redis.url);
    await client.set(`${a.env.REDIS_KEY_PREFIX}{sd}:refresh:lock`, 'a-slow-replica', 'PX', 15_000);
    await client.quit();
    const waiting = getToken(a, 'sd').then((res) => res); // sent now: a supertest request starts when awaited
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stored = {
      accessToken: 'sd-stored-by-another-replica',
      tokenType: 'Bearer',
      obtainedAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
      fence: Date.now(),
    };
    await b.app.get<TokenStore>(TOKEN_STORE).put('sd', stored);
    const storedAt = Date.now();
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBe(stored.accessToken);
    expect(Date.now() - storedAt).toBeLessThan(1_500); // the lock is still held for seconds
  });

  // a rotating provider's 503 while Redis is away, and the load test: redis-outage.e2e-spec.ts
  it('answers at once while Redis is down, with a client-credentials token got without the lock, and recovers', async () => {
    const [a] = await startPair();
    await putCredentials(a, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the pre-warm triggered by the PUT settle
    await a.app.get<TokenStore>(TOKEN_STORE).delete('sd'); // no token known anywhere: the call needs a refresh
    await redis.kill();
    try {
      await waitFor(async () => (await request(a.url).get('/health/ready')).body.status === 'degraded');
      const calls = simulator.callsTo('/connect/token').length;
      const started = Date.now();
      await getToken(a, 'sd').expect(200);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(simulator.callsTo('/connect/token').length).toBe(calls + 1);
    } finally {
      await redis.start();
    }
    await waitFor(async () => (await request(a.url).get('/health/ready')).body.status === 'ok');
    await getToken(a, 'sd').expect(200);
  });
});

async function killSubscriptions(url: string): Promise<void> {
  const client = new Redis(url);
  await client.client('KILL', 'TYPE', 'pubsub');
  await client.quit();
}

async function waitForToken(broker: BrokerHarness, provider: string): Promise<request.Response> {
  await waitForStatus(broker, provider, 200);
  return getToken(broker, provider).expect(200);
}

async function waitForStatus(broker: BrokerHarness, provider: string, status: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await getToken(broker, provider)).status !== status) {
    if (Date.now() > deadline) throw new Error(`GET /tokens/${provider} never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
