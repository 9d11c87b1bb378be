import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerHarness, getToken, putCredentials, startBroker, testRedisUrl } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';
import { TOKEN_STORE, type TokenStore } from '@app/token-store';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };

/** Refresh timing and upstream failure handling, with the token store in a real Redis. */
describe('refresh and upstream failures (Redis)', () => {
  let simulator: SmartDocumentorSimulator;
  let broker: BrokerHarness;

  beforeEach(async () => {
    simulator = new SmartDocumentorSimulator(DEMO, { tokenLifetimeSeconds: 4 });
    await simulator.start();
    broker = await startBroker({
      redisUrl: testRedisUrl(),
      providersYaml: `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}", refreshBefore: 50% }\n`,
    });
  });

  afterEach(async () => {
    await broker?.close();
    await simulator.stop();
  });

  it('pre-refreshes before expiry, so callers see a new token without waiting for the old one to die', async () => {
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await waitFor(() => simulator.tokens.count === 1); // pre-warmed by the scheduler
    const first = (await getToken(broker, 'sd').expect(200)).body.access_token;

    await waitFor(() => simulator.tokens.count === 2, 5_000);
    const second = (await getToken(broker, 'sd').expect(200)).body.access_token;
    expect(second).not.toBe(first);
    expect(simulator.tokens.isValid(first)).toBe(true); // refreshed while the old one still lived
  });

  it('answers 503 upstream_unavailable with Retry-After while the upstream is down, and recovers', async () => {
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    simulator.fault = { mode: 'status', status: 503 };
    await waitFor(async () => (await getToken(broker, 'sd')).status === 503);
    const down = await getToken(broker, 'sd').expect(503);
    expect(down.body.error).toBe('upstream_unavailable');
    expect(Number(down.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    simulator.fault = { mode: 'none' };
    await waitFor(async () => (await getToken(broker, 'sd')).status === 200, 8_000);
  });

  it('lets a caller probe an upstream in long backoff, once per few seconds, so recovery takes seconds', async () => {
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await waitFor(async () => (await getToken(broker, 'sd')).status === 200);
    simulator.fault = { mode: 'status', status: 503 };
    const tokens = broker.app.get<TokenStore>(TOKEN_STORE);
    await tokens.delete('sd');
    // as after a long outage: backoff has grown to minutes
    const lastError = { code: 'http_503', message: 'Upstream refused the token request: HTTP 503', at: Date.now() };
    await tokens.putStatus('sd', { state: 'failing', consecutiveFailures: 9, lastError, retryAt: Date.now() + 256_000 });
    await tokens.takeProbe('sd', 5_000); // a probe happened just now
    const before = simulator.received;
    const answers = await Promise.all(Array.from({ length: 20 }, () => getToken(broker, 'sd')));
    expect(answers.every((answer) => answer.status === 503)).toBe(true);
    expect(Number(answers[0].headers['retry-after'])).toBeLessThanOrEqual(5);
    expect(simulator.received).toBe(before); // the probe of this interval was taken: nobody else calls

    simulator.fault = { mode: 'none' }; // the outage ends
    const started = Date.now();
    await waitFor(async () => (await getToken(broker, 'sd')).status === 200, 8_000);
    expect(Date.now() - started).toBeLessThan(6_500);
    expect(simulator.received - before).toBe(1); // one probe per interval
  });

  it('honours the upstream Retry-After on 429 instead of retrying sooner', async () => {
    simulator.fault = { mode: 'status', status: 429, retryAfterSeconds: 30 }; // before the PUT's immediate refresh
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    const limited = await getToken(broker, 'sd').expect(503);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    const attempts = await getToken(broker, 'sd').expect(503);
    expect(attempts.body.error).toBe('upstream_unavailable');
  });

  it('treats invalid_client as permanent: 503 reauthorization_required and no retry loop, until new credentials', async () => {
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: 'wrong-secret' });
    const res = await getToken(broker, 'sd').expect(503);
    expect(res.body.error).toBe('reauthorization_required');
    expect(res.body.message).toContain('invalid_client');
    expect(res.headers['retry-after']).toBeUndefined();
    const calls = simulator.calls.length;
    for (let i = 0; i < 5; i += 1) await getToken(broker, 'sd').expect(503);
    await new Promise((resolve) => setTimeout(resolve, 500)); // several scheduler ticks
    expect(simulator.calls.length).toBe(calls);

    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await getToken(broker, 'sd').expect(200);
  });

  it.each([
    ['an HTML error page', { mode: 'html' } as const],
    ['an empty body', { mode: 'empty' } as const],
    ['200 without a token', { mode: 'no-token' } as const],
    ['a 10 MB body', { mode: 'huge' } as const],
  ])('answers a clear 503 for %s and keeps serving', async (_case, fault) => {
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    simulator.fault = fault;
    await waitFor(async () => (await getToken(broker, 'sd')).status === 503);
    const res = await getToken(broker, 'sd').expect(503);
    expect(res.body).toEqual({ error: 'upstream_unavailable', message: expect.any(String) });
    expect(res.body.message).not.toMatch(/<html|xxxx/i);
    await getToken(broker, 'nosuch').expect(404); // still serving
  });

  it('times out a hanging upstream and answers 503', async () => {
    await broker.close();
    broker = await startBroker({
      redisUrl: testRedisUrl(),
      env: { UPSTREAM_TIMEOUT_MS: '300' },
      providersYaml: `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`,
    });
    simulator.fault = { mode: 'hang' };
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    const res = await getToken(broker, 'sd').expect(503);
    expect(res.body.message).toContain('300ms');
  });
});
