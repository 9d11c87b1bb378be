import { PassportalSimulator, PortfoleonSimulator } from '@app/providers/testing';
import { BrokerHarness, getToken, putCredentials, startBroker, testRedisUrl } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const PASSPORTAL = { keyId: 'pp-key-id', secretKey: TEST_SECRETS.passportalSecretKey };
const API_KEY = TEST_SECRETS.portfoleonApiKey;
const SECRETS = [PASSPORTAL.secretKey, API_KEY];


/** The two non-OAuth providers through GET /tokens, against simulators that enforce their docs. */
describe('Passportal and Portfoleon', () => {
  let passportal: PassportalSimulator;
  let portfoleon: PortfoleonSimulator;
  let broker: BrokerHarness;

  beforeEach(async () => {
    passportal = new PassportalSimulator(PASSPORTAL, { tokenLifetimeSeconds: 4 });
    portfoleon = new PortfoleonSimulator(API_KEY, { tokenLifetimeSeconds: 4 });
    await Promise.all([passportal.start(), portfoleon.start()]);
    broker = await startBroker({
      redisUrl: testRedisUrl(),
      providersYaml: `
providers:
  passportal: { type: passportal, baseUrl: "${passportal.url}", refreshBefore: 50% }
  portfoleon: { type: portfoleon, baseUrl: "${portfoleon.url}", refreshBefore: 50% }
`,
    });
  });

  afterEach(async () => {
    await broker?.close();
    await Promise.all([passportal.stop(), portfoleon.stop()]);
  });

  describe('Passportal', () => {
    it('signs the request, serves the token and pre-refreshes it with a new signed request', async () => {
      await putCredentials(broker, 'passportal', { key_id: PASSPORTAL.keyId, secret_key: PASSPORTAL.secretKey });
      const first = await getToken(broker, 'passportal').expect(200);
      expect(passportal.tokens.isValid(first.body.access_token)).toBe(true);
      expect(JSON.stringify(first.body)).not.toMatch(/rt\d/); // Passportal's refresh token stays inside
      expect(passportal.calls.at(-1)!.headers['x-key']).toBe(PASSPORTAL.keyId);

      await waitFor(async () => (await getToken(broker, 'passportal')).body.access_token !== first.body.access_token);
      expect(passportal.tokens.isValid(first.body.access_token)).toBe(true); // renewed before the old one died
    });

    it('answers reauthorization_required for a wrong secret (HMAC refused) and does not retry in a loop', async () => {
      await putCredentials(broker, 'passportal', { key_id: PASSPORTAL.keyId, secret_key: 'not-the-secret' });
      const res = await getToken(broker, 'passportal').expect(503);
      expect(res.body.error).toBe('reauthorization_required');
      const calls = passportal.calls.length;
      await getToken(broker, 'passportal').expect(503);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(passportal.calls.length).toBe(calls);
      expect(JSON.stringify(res.body)).not.toContain('not-the-secret');
    });
  });

  describe('Portfoleon', () => {
    it('hands out b64token with the expiry read from its header, then force-refreshes it', async () => {
      await putCredentials(broker, 'portfoleon', { api_key: API_KEY });
      await waitFor(() => portfoleon.callsTo('/api/v1/security/token').length === 1);
      const first = await getToken(broker, 'portfoleon').expect(200);
      expect(portfoleon.isValid(first.body.access_token)).toBe(true);
      expect(Date.parse(first.body.expires_at)).toBe(portfoleon.expiryOf(first.body.access_token));

      await waitFor(async () => (await getToken(broker, 'portfoleon')).body.access_token !== first.body.access_token);
      const refreshes = portfoleon.callsTo('/api/v1/security/refresh_token');
      expect(refreshes.length).toBeGreaterThan(0);
      expect(refreshes.every((call) => call.query.get('force') === 'true')).toBe(true);
      expect(refreshes.map((call) => call.headers.authorization)).toContain(`Bearer ${first.body.access_token}`);
      expect(portfoleon.callsTo('/api/v1/security/token')).toHaveLength(1); // refreshed, never a second login
    });

    it('logs in again with the API key when the refresh chain is over ("Authentication expired")', async () => {
      await broker.close();
      await portfoleon.stop();
      portfoleon = new PortfoleonSimulator(API_KEY, { tokenLifetimeSeconds: 4, maxChainSeconds: 1 });
      await portfoleon.start();
      broker = await startBroker({
        redisUrl: testRedisUrl(),
        providersYaml: `providers:\n  portfoleon: { type: portfoleon, baseUrl: "${portfoleon.url}", refreshBefore: 50% }\n`,
      });
      await putCredentials(broker, 'portfoleon', { api_key: API_KEY });
      await getToken(broker, 'portfoleon').expect(200);
      await waitFor(() => portfoleon.callsTo('/api/v1/security/token').length >= 2);
      const res = await getToken(broker, 'portfoleon').expect(200);
      expect(portfoleon.isValid(res.body.access_token)).toBe(true);
    });

    it('answers reauthorization_required only when the API key itself is refused', async () => {
      await putCredentials(broker, 'portfoleon', { api_key: 'AKPF123,wrong' });
      const res = await getToken(broker, 'portfoleon').expect(503);
      expect(res.body.error).toBe('reauthorization_required');
    });
  });

  it.each([
    ['malformed JSON', { mode: 'empty' } as const],
    ['an HTML error page', { mode: 'html' } as const],
  ])('answers a clear 503 when both upstreams answer %s, and keeps serving', async (_case, fault) => {
    await putCredentials(broker, 'passportal', { key_id: PASSPORTAL.keyId, secret_key: PASSPORTAL.secretKey });
    await putCredentials(broker, 'portfoleon', { api_key: API_KEY });
    passportal.fault = fault;
    portfoleon.fault = fault;
    for (const provider of ['passportal', 'portfoleon']) {
      await waitFor(async () => (await getToken(broker, provider)).status === 503);
      const res = await getToken(broker, provider).expect(503);
      expect(res.body.error).toBe('upstream_unavailable');
      for (const secret of SECRETS) expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    passportal.fault = { mode: 'none' };
    await waitFor(async () => (await getToken(broker, 'passportal')).status === 200, 8_000);
  });
});
