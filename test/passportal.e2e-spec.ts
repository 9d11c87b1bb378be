import { createHmac } from 'node:crypto';
import { PassportalSimulator, type SimulatorFault } from '@app/providers/testing';
import { BrokerHarness, getToken, putCredentials, startBroker, testRedisUrl } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const KEY = { keyId: 'pp-key-id', secretKey: TEST_SECRETS.passportalSecretKey };
const CREDENTIALS = { key_id: KEY.keyId, secret_key: KEY.secretKey };
const TOKEN_PATH = '/api/v2/auth/client_token';

/** Passportal through GET /tokens, against a simulator that verifies the HMAC with the secret. */
describe('Passportal', () => {
  let simulator: PassportalSimulator;
  let broker: BrokerHarness;

  async function start(options: { scope?: string; yamlScope?: string } = {}): Promise<void> {
    simulator = new PassportalSimulator(KEY, { tokenLifetimeSeconds: 4, scope: options.scope });
    await simulator.start();
    const scope = options.yamlScope ? `, scope: ${options.yamlScope}` : '';
    broker = await startBroker({
      redisUrl: testRedisUrl(),
      providersYaml: `providers:\n  passportal: { type: passportal, baseUrl: "${simulator.url}", refreshBefore: 50%${scope} }\n`,
    });
  }

  afterEach(async () => {
    await broker?.close();
    await simulator?.stop();
  });

  it('signs the request as documented, serves the token and pre-refreshes it with a new signed request', async () => {
    await start();
    await putCredentials(broker, 'passportal', CREDENTIALS);
    const first = await getToken(broker, 'passportal').expect(200);
    expect(simulator.tokens.isValid(first.body.access_token)).toBe(true);
    expect(JSON.stringify(first.body)).not.toMatch(/rt\d/); // Passportal's refresh token stays inside
    const call = simulator.callsTo(TOKEN_PATH)[0];
    expect(call.headers['x-key']).toBe(KEY.keyId);
    expect(call.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call.body)).toEqual({ scope: 'docs_api', content: 'api-content-hash' });
    expect(call.headers['x-hash']).toBe(createHmac('sha256', KEY.secretKey).update('api-content-hash').digest('hex'));

    await waitFor(async () => (await getToken(broker, 'passportal')).body.access_token !== first.body.access_token);
    expect(simulator.tokens.isValid(first.body.access_token)).toBe(true); // renewed before the old one died
  });

  it('sends the configured scope spelling and the content given with the credentials', async () => {
    await start({ scope: 'docs-api', yamlScope: 'docs-api' });
    await putCredentials(broker, 'passportal', { ...CREDENTIALS, content: 'our own text' });
    await getToken(broker, 'passportal').expect(200);
    expect(JSON.parse(simulator.callsTo(TOKEN_PATH)[0].body)).toEqual({ scope: 'docs-api', content: 'our own text' });
  });

  it.each([
    ['a wrong secret (HMAC refused)', { ...CREDENTIALS, secret_key: TEST_SECRETS.wrongSecret }],
    ['an unknown key id', { ...CREDENTIALS, key_id: 'unknown-key-id' }],
  ])('answers reauthorization_required for %s and does not retry in a loop', async (_case, credentials) => {
    await start();
    await putCredentials(broker, 'passportal', credentials);
    const res = await getToken(broker, 'passportal').expect(503);
    expect(res.body.error).toBe('reauthorization_required');
    const calls = simulator.calls.length;
    expect(calls).toBeGreaterThan(0);
    await getToken(broker, 'passportal').expect(503);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(simulator.calls.length).toBe(calls);
    for (const secret of [KEY.secretKey, credentials.secret_key]) expect(JSON.stringify(res.body)).not.toContain(secret);
  });

  it.each<[string, SimulatorFault]>([
    ['malformed JSON', { mode: 'truncated-json' }],
    ['an HTML error page', { mode: 'html' }],
    ['an empty body', { mode: 'empty' }],
    ['JSON without success or token', { mode: 'no-token' }],
  ])('answers a clear 503 upstream_unavailable for %s, then recovers', async (_case, fault) => {
    await start();
    simulator.fault = fault;
    await putCredentials(broker, 'passportal', CREDENTIALS);
    const res = await getToken(broker, 'passportal').expect(503);
    expect(res.body.error).toBe('upstream_unavailable');
    expect(JSON.stringify(res.body)).not.toContain(KEY.secretKey);
    simulator.fault = { mode: 'none' };
    await waitFor(async () => (await getToken(broker, 'passportal')).status === 200, 8_000);
  });
});
