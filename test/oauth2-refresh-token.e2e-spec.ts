import request from 'supertest';
import { OAuth2RefreshTokenSimulator } from '@app/providers/testing';
import { ADMIN_TOKEN, BrokerHarness, getToken, putCredentials, startBroker, testRedisUrl, uniquePrefix } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CLIENT = { clientId: 'acme-client', clientSecret: TEST_SECRETS.clientSecret };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A declarative `acme` provider (oauth2-refresh-token, five lines of YAML) in two real brokers on
 * one Redis and one credential store, against a strict server whose refresh tokens work once.
 */
describe('oauth2-refresh-token from the providers file, two replicas', () => {
  const simulator = new OAuth2RefreshTokenSimulator(CLIENT, { clientAuth: 'basic', tokenLifetimeSeconds: 2 });
  let replicas: BrokerHarness[] = [];
  const seed = (refreshToken: string) =>
    putCredentials(replicas[0], 'acme', { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: refreshToken });
  const status = async (): Promise<{ state: string; last_error?: { code: string } }> =>
    (await request(replicas[1].url).get('/providers').expect(200)).body[0];

  beforeAll(async () => {
    await simulator.start();
    const providersYaml = `providers:
  acme:
    type: oauth2-refresh-token
    tokenUrl: ${simulator.url}/oauth/token
    auth: basic
    refreshBefore: 50%
`;
    const shared = { providersYaml, redisUrl: testRedisUrl(), redisKeyPrefix: uniquePrefix() };
    const first = await startBroker(shared);
    replicas = [first, await startBroker({ ...shared, dir: first.dir })];
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await simulator.stop();
  });

  it('rotates the refresh token over many refreshes, never presenting one twice, and serves only live tokens', async () => {
    await seed(simulator.currentRefreshToken);
    const served: { token: string; at: number }[] = [];
    const until = Date.now() + 7_000;
    await Promise.all(
      replicas.map(async (replica) => {
        while (Date.now() < until) {
          const res = await getToken(replica, 'acme').expect(200);
          served.push({ token: res.body.access_token, at: Date.now() });
          await sleep(20);
        }
      }),
    );
    const report = simulator.report();
    expect(report.refreshes).toBeGreaterThanOrEqual(5);
    expect(report).toMatchObject({ reuses: 0, overlappingUses: 0 });
    expect(served.filter(({ token, at }) => !(simulator.tokens.expiryOf(token)! > at - 50))).toEqual([]);
    expect(new Set(served.map(({ token }) => token)).size).toBeGreaterThanOrEqual(4);

    // the broker holds the server's current token: a forced refresh on the other replica works
    await request(replicas[1].url).post('/tokens/acme/refresh').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(simulator.report()).toMatchObject({ refreshes: report.refreshes + 1, reuses: 0 });
  });

  it.each(['keep', 'echo'] as const)('goes on with the same refresh token when the server stops rotating (%s, §6)', async (shape) => {
    simulator.answer = { ...simulator.answer, refreshToken: shape };
    try {
      const before = simulator.report().refreshes;
      await waitFor(() => simulator.report().refreshes >= before + 3, 8_000);
      expect(simulator.report().reuses).toBe(0);
    } finally {
      simulator.answer = { ...simulator.answer, refreshToken: 'rotate' };
    }
  });

  it('stops at invalid_grant until a person stores a new refresh token, without retrying in a loop', async () => {
    const spent = simulator.currentRefreshToken;
    await waitFor(() => simulator.currentRefreshToken !== spent); // the schedulers refresh every second
    await seed(spent); // a person pastes a token that was already used
    await waitFor(async () => (await status()).state === 'reauthorization_required');
    expect((await status()).last_error?.code).toBe('invalid_grant');
    const calls = simulator.calls.length;
    // the last token is served while it lives; then callers hear what is wrong
    for (const replica of replicas) await waitFor(async () => (await getToken(replica, 'acme')).status === 503, 4_000);
    expect((await getToken(replicas[1], 'acme').expect(503)).body.error).toBe('reauthorization_required');
    await sleep(1_500); // many more scheduler ticks on both replicas
    expect(simulator.calls.length).toBe(calls);

    await seed(simulator.currentRefreshToken);
    await waitFor(async () => (await getToken(replicas[1], 'acme')).status === 200);
    expect((await status()).state).toBe('ok');
  });
});
