import { PortfoleonSimulator, type PortfoleonSimulatorOptions, type SimulatorFault } from '@app/providers/testing';
import { BrokerHarness, getToken, putCredentials, startBroker, testRedisUrl } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const API_KEY = TEST_SECRETS.portfoleonApiKey;
const LOGIN = '/api/v1/security/token';
const REFRESH = '/api/v1/security/refresh_token';

/** Portfoleon through GET /tokens, against a simulator issuing signed tokens with exp in their header. */
describe('Portfoleon', () => {
  let simulator: PortfoleonSimulator;
  let broker: BrokerHarness;

  async function start(options: PortfoleonSimulatorOptions = {}): Promise<void> {
    simulator = new PortfoleonSimulator(API_KEY, { tokenLifetimeSeconds: 4, ...options });
    await simulator.start();
    broker = await startBroker({
      redisUrl: testRedisUrl(),
      providersYaml: `providers:\n  portfoleon: { type: portfoleon, baseUrl: "${simulator.url}", refreshBefore: 50% }\n`,
    });
  }

  afterEach(async () => {
    await broker?.close();
    await simulator?.stop();
  });

  it('hands out b64token with the expiry read from its header, then force-refreshes it', async () => {
    await start();
    await putCredentials(broker, 'portfoleon', { api_key: API_KEY });
    await waitFor(() => simulator.callsTo(LOGIN).length === 1);
    const first = await getToken(broker, 'portfoleon').expect(200);
    expect(first.body.token_type).toBe('Bearer');
    expect(simulator.isValid(first.body.access_token)).toBe(true);
    expect(Date.parse(first.body.expires_at)).toBe(simulator.expiryOf(first.body.access_token));

    await waitFor(async () => (await getToken(broker, 'portfoleon')).body.access_token !== first.body.access_token);
    const refreshes = simulator.callsTo(REFRESH);
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes.every((call) => call.query.get('force') === 'true')).toBe(true);
    expect(refreshes.map((call) => call.headers.authorization)).toContain(`Bearer ${first.body.access_token}`);
    expect(simulator.callsTo(LOGIN)).toHaveLength(1); // refreshed, never a second login
  });

  it.each<[string, PortfoleonSimulatorOptions, (s: PortfoleonSimulator) => void]>([
    ['Token expired', {}, (s) => s.expireIssuedTokens()],
    ['Authentication expired', { maxChainSeconds: 1 }, () => undefined],
  ])('logs in again with the API key when the refresh answers "%s"', async (_message, options, endChain) => {
    await start(options);
    await putCredentials(broker, 'portfoleon', { api_key: API_KEY });
    const first = await getToken(broker, 'portfoleon').expect(200);
    endChain(simulator);
    await waitFor(() => simulator.callsTo(LOGIN).length >= 2);
    expect(simulator.callsTo(REFRESH).map((call) => call.headers.authorization)).toContain(`Bearer ${first.body.access_token}`);
    // the login's answer reaches the token store a moment after the simulator counted the call
    await waitFor(async () => (await getToken(broker, 'portfoleon')).body.access_token !== first.body.access_token);
    const res = await getToken(broker, 'portfoleon').expect(200);
    expect(simulator.isValid(res.body.access_token)).toBe(true);
  });

  it('answers reauthorization_required only when the API key itself is refused, without a retry loop', async () => {
    const wrongKey = `AKPF123,${TEST_SECRETS.wrongSecret}`;
    await start();
    await putCredentials(broker, 'portfoleon', { api_key: wrongKey });
    const res = await getToken(broker, 'portfoleon').expect(503);
    expect(res.body.error).toBe('reauthorization_required');
    const calls = simulator.calls.length;
    await getToken(broker, 'portfoleon').expect(503);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(simulator.calls.length).toBe(calls);
    for (const secret of [API_KEY, wrongKey]) expect(JSON.stringify(res.body)).not.toContain(secret);
  });

  it.each<[string, SimulatorFault]>([
    ['malformed JSON', { mode: 'truncated-json' }],
    ['an HTML error page', { mode: 'html' }],
    ['JSON without a b64token', { mode: 'no-token' }],
  ])('answers a clear 503 upstream_unavailable for %s, then recovers', async (_case, fault) => {
    await start();
    simulator.fault = fault;
    await putCredentials(broker, 'portfoleon', { api_key: API_KEY });
    const res = await getToken(broker, 'portfoleon').expect(503);
    expect(res.body.error).toBe('upstream_unavailable');
    expect(JSON.stringify(res.body)).not.toContain(API_KEY);
    simulator.fault = { mode: 'none' };
    await waitFor(async () => (await getToken(broker, 'portfoleon')).status === 200, 8_000);
  });
});
