import request from 'supertest';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { RedisServer } from './support/redis-server';
import { ADMIN_TOKEN, BrokerHarness, getToken, putCredentials, startBroker, testRedisUrl } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };

/** What the ops dashboard polls: health, readiness, provider status, and the forced refresh. */
describe('operations endpoints', () => {
  const redis = new RedisServer();
  const simulator = new SmartDocumentorSimulator(DEMO);
  let broker: BrokerHarness;

  beforeAll(async () => {
    await Promise.all([redis.start(), simulator.start()]);
    broker = await startBroker({
      redisUrl: redis.url,
      providersYaml: `providers:\n  ok: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n  bad: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n  down: { type: smartdocumentor, baseUrl: "http://127.0.0.1:1" }\n  empty: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`,
    });
    await putCredentials(broker, 'ok', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await putCredentials(broker, 'bad', { client_id: DEMO.clientId, client_secret: 'wrong-secret' });
    await putCredentials(broker, 'down', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all([redis.stop(), simulator.stop()]);
  });

  it('shows each provider state without tokens or secrets', async () => {
    await waitFor(async () => {
      const states = (await request(broker.url).get('/providers').expect(200)).body.map((p: { state: string }) => p.state);
      return states.join() === 'ok,reauthorization_required,failing,credentials_missing';
    });
    const providers = (await request(broker.url).get('/providers').expect(200)).body;
    expect(providers[0]).toMatchObject({
      provider: 'ok',
      type: 'smartdocumentor',
      consecutive_failures: 0,
      durable_write_pending: false,
      last_error: null,
    });
    expect(Date.parse(providers[0].expires_at)).toBeGreaterThan(Date.now());
    expect(Date.parse(providers[0].next_refresh_at)).toBeLessThan(Date.parse(providers[0].expires_at));
    expect(providers[1].last_error).toMatchObject({ code: 'invalid_client' });
    expect(providers[2]).toMatchObject({ state: 'failing', last_error: { code: 'network_error' } });
    const text = JSON.stringify(providers);
    expect(text).not.toContain(DEMO.clientSecret);
    expect(text).not.toMatch(/sd-[0-9a-f]{24}/);
    expect((await request(broker.url).get('/providers/ok').expect(200)).body.provider).toBe('ok');
    expect((await request(broker.url).get('/providers/nope').expect(404)).body.error).toBe('unknown_provider');
  });

  it('forces a refresh for admins only, answering the new expiry without the token', async () => {
    const before = (await getToken(broker, 'ok').expect(200)).body.access_token;
    await request(broker.url).post('/tokens/ok/refresh').expect(401);
    const res = await request(broker.url).post('/tokens/ok/refresh').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'expires_in', 'provider']);
    expect((await getToken(broker, 'ok').expect(200)).body.access_token).not.toBe(before);
  });

  it('is live and ready, reports Redis down as degraded (still serving, so still in rotation), and recovers', async () => {
    await request(broker.url).get('/health/live').expect(200);
    expect((await request(broker.url).get('/health/ready').expect(200)).body).toMatchObject({
      status: 'ok',
      info: { token_store: { status: 'up' } },
    });
    await redis.kill();
    try {
      const down = await request(broker.url).get('/health/ready').expect(200);
      expect(down.body).toMatchObject({ status: 'degraded', error: { token_store: { status: 'down', backend: 'Redis' } } });
      await request(broker.url).get('/health/live').expect(200);
    } finally {
      await redis.start();
    }
    await waitFor(async () => (await request(broker.url).get('/health/ready')).body.status === 'ok');
  });
});

describe('provider state during a refresh', () => {
  it('is refreshing while a forced refresh holds the lock, then ok with a later expiry', async () => {
    const simulator = new SmartDocumentorSimulator(DEMO);
    await simulator.start();
    const broker = await startBroker({
      redisUrl: testRedisUrl(),
      providersYaml: `providers:\n  slow: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`,
    });
    const status = async () =>
      (await request(broker.url).get('/providers/slow').expect(200)).body as { state: string; expires_at: string | null };
    try {
      await putCredentials(broker, 'slow', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
      // the token is written while the pre-warm still holds the lock: for that moment the state is 'refreshing'
      let before = await status();
      await waitFor(async () => {
        before = await status();
        return before.state === 'ok' && before.expires_at !== null;
      });
      simulator.fault = { mode: 'delay', ms: 1_000 };
      const forced = request(broker.url)
        .post('/tokens/slow/refresh')
        .set('authorization', `Bearer ${ADMIN_TOKEN}`)
        .then((res) => res);
      await waitFor(async () => (await status()).state === 'refreshing');
      const res = await forced;
      expect(res.status).toBe(200);
      expect(Date.parse(res.body.expires_at)).toBeGreaterThan(Date.parse(before.expires_at!));
      expect(await status()).toMatchObject({ state: 'ok', expires_at: res.body.expires_at });
    } finally {
      await broker.close();
      await simulator.stop();
    }
  });
});

describe('GET /metrics', () => {
  it('exports request, cache, refresh, lock and expiry metrics in Prometheus format, without secrets', async () => {
    const simulator = new SmartDocumentorSimulator(DEMO);
    await simulator.start();
    const broker = await startBroker({ providersYaml: `providers:\n  m: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n` });
    try {
      await putCredentials(broker, 'm', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
      await getToken(broker, 'm').expect(200);
      await getToken(broker, 'm').expect(200);
      await getToken(broker, `x${'y'.repeat(20)}`).expect(404);
      const res = await request(broker.url).get('/metrics').expect(200);
      expect(res.headers['content-type']).toContain('text/plain');
      const text = res.text;
      expect(text).toMatch(/token_broker_http_requests_total\{route="\/tokens\/:provider",provider="m",status="200"\} [2-9]/);
      expect(text).toMatch(/token_broker_http_requests_total\{route="\/tokens\/:provider",provider="unknown",status="404"\} 1/);
      expect(text).toMatch(/token_broker_token_cache_lookups_total\{provider="m",result="hit"\} [1-9]/);
      expect(text).toMatch(/token_broker_upstream_refreshes_total\{provider="m",outcome="ok"\} [1-9]/);
      expect(text).toMatch(/token_broker_upstream_refresh_duration_seconds_count [1-9]/);
      expect(text).toMatch(/token_broker_lock_wait_seconds_count [1-9]/);
      expect(text).toMatch(/token_broker_token_seconds_to_expiry\{provider="m"\} 3[0-9]{3}/);
      expect(text).toMatch(/token_broker_durable_write_backlog 0/);
      expect(text).not.toContain(DEMO.clientSecret);
      expect(text).not.toMatch(/sd-[0-9a-f]{24}/);
    } finally {
      await broker.close();
      await simulator.stop();
    }
  });
});
