import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { VaultTestServer } from '@app/credentials/testing';
import { LockUnavailableError, ReauthorizationRequiredError } from '@app/errors';
import { PassolutionSimulator } from '@app/providers/testing';
import { RedisServer } from '../../../test/support/redis-server';
import { CLAIM_FIELD } from './refresh-claim';
import { fileBackend, startReplica, vaultBackend, type BackendFixture, type RefreshReplica } from './testing/refresh-replica';

/**
 * Issue 12: the ways the single-use refresh-token chain broke, one spec each, on real Redis and real
 * credential stores against the strict Passolution simulator (each token accepted once).
 */
const CLIENT = { clientId: 'pa-client', clientSecret: 'pa-secret-value' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const vault = new VaultTestServer();
const redis = new RedisServer(); // this file's own, so it can be killed and restarted
let simulator: PassolutionSimulator;
let replicas: RefreshReplica[] = [];

beforeAll(() => Promise.all([vault.start(), redis.start()]));
afterAll(() => Promise.all([vault.stop(), redis.stop()]));
beforeEach(async () => {
  simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 60 });
  await simulator.start();
});
afterEach(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  replicas = [];
  await simulator.stop();
});

interface ReplicaSetup {
  yamlExtra?: string;
  env?: Record<string, string>;
  /** Store the simulator's current refresh token first (a person seeding the account); default true. */
  seed?: boolean;
}

/** Replicas on one backend; each prefix is one lock domain (a replica with another prefix acts as one whose lock was lost). */
async function replicasOn(
  fixture: BackendFixture,
  prefixes: string[],
  { yamlExtra = '', env = {}, seed = true }: ReplicaSetup = {},
): Promise<RefreshReplica[]> {
  const providersYaml = `providers:\n  pa: { type: passolution, baseUrl: "${simulator.url}"${yamlExtra} }\n`;
  const started = await Promise.all(
    prefixes.map((redisPrefix) => startReplica({ backend: fixture.backend, redisPrefix, redisUrl: redis.url, providersYaml, env })),
  );
  replicas.push(...started);
  if (seed) await reseed(started[0], simulator.currentRefreshToken);
  return started;
}

/** What a person does with PUT /admin/credentials: plain values, no broker fields. */
async function reseed(replica: RefreshReplica, refreshToken: string): Promise<void> {
  await replica.seed('pa', { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: refreshToken });
}

const prefix = () => `t${randomBytes(4).toString('hex')}:`;
const storedRefreshToken = async (replica: RefreshReplica) => (await replica.credentials.get('pa'))?.values.refresh_token;

async function forgetRedis(keyPrefix: string): Promise<void> {
  const client = new Redis(redis.url);
  const keys = await client.keys(`${keyPrefix}*`);
  if (keys.length) await client.del(...keys);
  await client.quit();
}

it('1. a claimed call survives losing the lock: Redis restarted while the upstream answers', async () => {
  const [replica] = await replicasOn(fileBackend(), [prefix()], { env: { UPSTREAM_TIMEOUT_MS: '4000' } });
  simulator.delayMs = 1_500;
  const refreshing = replica.refresh('pa');
  while (simulator.calls.length === 0) await sleep(10);
  await redis.kill(); // the lock's extensions fail from here
  await sleep(400);
  await redis.start();
  const token = await refreshing;
  expect(simulator.tokens.isValid(token.accessToken)).toBe(true);
  expect(await storedRefreshToken(replica)).toBe(simulator.currentRefreshToken);
});

it("2. a live holder's claim does not expire under it, however slow its claim write and its upstream", async () => {
  const [holder, other] = await replicasOn(vaultBackend(vault), [prefix(), prefix()]);
  simulator.delayMs = 1_900; // as slow as the upstream timeout
  vault.delayNextWrites(1_200); // the claim write itself is slow
  const first = holder.refresh('pa');
  await sleep(1_300);
  // the other replica holds no common lock (as after a lost lock) and keeps trying while the first call runs
  const second = (async () => {
    for (;;) {
      try {
        return await other.refresh('pa', { lockWaitMs: 6_000 });
      } catch (error) {
        if (!(error instanceof LockUnavailableError)) throw error;
        await sleep(50);
      }
    }
  })();
  await Promise.all([first, second]);
  expect(simulator.report()).toMatchObject({ reuses: 0, overlappingUses: 0 });
  expect(await storedRefreshToken(holder)).toBe(simulator.currentRefreshToken);
});

it('3. a refused chain stays refused when Redis forgets everything and every replica restarts', async () => {
  const fixture = fileBackend();
  const keyPrefix = prefix();
  const [replica] = await replicasOn(fixture, [keyPrefix]);
  await reseed(replica, 'def-spent-elsewhere');
  await expect(replica.refresh('pa')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
  const calls = simulator.calls.length;

  await replica.close();
  await forgetRedis(keyPrefix);
  const [restarted] = await replicasOn(fixture, [keyPrefix], { seed: false });
  await expect(restarted.refresh('pa')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
  expect(simulator.calls.length).toBe(calls);
  expect(await restarted.describe('pa')).toMatchObject({ state: 'reauthorization_required', lastError: { code: 'invalid_grant' } });

  await reseed(restarted, simulator.currentRefreshToken); // a person stores new credentials: the chain lives again
  await expect(restarted.refresh('pa')).resolves.toMatchObject({ tokenType: 'Bearer' });
});

it('4. credentials a person stores retire a pending outbox, and refreshing goes on with them', async () => {
  const fixture = vaultBackend(vault);
  const [replica, other] = await replicasOn(fixture, [prefix(), prefix()]);
  const held = simulator.holdAnswers();
  const refreshing = replica.refresh('pa');
  await held.spent; // claimed, the upstream's answer held
  fixture.refuseWrites(true); // the rotated token cannot be committed: it waits in the outbox
  held.release();
  await refreshing;
  fixture.refuseWrites(false);
  await reseed(other, simulator.reauthorize()); // before the outbox's first retry

  await expect(replica.refresh('pa')).resolves.toMatchObject({ tokenType: 'Bearer' });
  await expect(other.refresh('pa')).resolves.toMatchObject({ tokenType: 'Bearer' });
  expect(await storedRefreshToken(replica)).toBe(simulator.currentRefreshToken);
  expect(await replica.describe('pa')).toMatchObject({ state: 'ok', durableWritePending: false });
  expect(simulator.report().reuses).toBe(0);
});

it('5. degraded clears once the outbox is committed in the background', async () => {
  const fixture = fileBackend();
  const [replica] = await replicasOn(fixture, [prefix()]);
  const held = simulator.holdAnswers();
  const refreshing = replica.refresh('pa');
  await held.spent;
  fixture.refuseWrites(true);
  held.release();
  await refreshing;
  expect(await replica.describe('pa')).toMatchObject({ state: 'degraded', durableWritePending: true });
  fixture.refuseWrites(false);
  await waitFor(async () => (await storedRefreshToken(replica)) === simulator.currentRefreshToken);
  await waitFor(async () => (await replica.describe('pa')).state === 'ok');
  expect(await replica.describe('pa')).toMatchObject({ state: 'ok', durableWritePending: false });
});

it('7a. attempts that never reach the upstream spend no rate slot', async () => {
  const [replica] = await replicasOn(fileBackend(), [prefix()], { yamlExtra: ', requestsPerMinute: 3' });
  const record = await replica.credentials.get('pa');
  const claim = { attemptId: 'dead-holder', deadline: Date.now() + 1_000, recovering: false };
  await replica.credentials.put('pa', { ...record!.values, [CLAIM_FIELD]: JSON.stringify(claim) }, record!.version);
  for (let attempt = 0; attempt < 5; attempt += 1) await expect(replica.refresh('pa')).rejects.toBeInstanceOf(LockUnavailableError);
  await sleep(1_100);
  await expect(replica.refresh('pa')).resolves.toMatchObject({ tokenType: 'Bearer' });
});

it('7b. a caller that meets a live claim waits for it (bounded by its lock wait) instead of failing at once', async () => {
  const [replica] = await replicasOn(fileBackend(), [prefix()]);
  const record = await replica.credentials.get('pa');
  const claim = { attemptId: 'dead-holder', deadline: Date.now() + 800, recovering: false };
  await replica.credentials.put('pa', { ...record!.values, [CLAIM_FIELD]: JSON.stringify(claim) }, record!.version);
  await expect(replica.refresh('pa', { lockWaitMs: 100 })).rejects.toBeInstanceOf(LockUnavailableError);
  await expect(replica.refresh('pa', { lockWaitMs: 3_000 })).resolves.toMatchObject({ tokenType: 'Bearer' });
  expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
});

it('7c. the token fence does not go backwards when Redis loses its data', async () => {
  const keyPrefix = prefix();
  const [replica] = await replicasOn(fileBackend(), [keyPrefix]);
  for (let i = 0; i < 4; i += 1) await replica.refresh('pa');
  await forgetRedis(keyPrefix);
  const fresh = await replica.refresh('pa');
  expect((await replica.tokens.get('pa'))?.accessToken).toBe(fresh.accessToken);
  expect(fresh.fence).toBe((await replica.credentials.get('pa'))?.version);
});

it('keeps no secret readable in Redis: the outbox holds only the rotated fields, sealed', async () => {
  const keyPrefix = prefix();
  const fixture = fileBackend();
  const [replica] = await replicasOn(fixture, [keyPrefix]);
  const held = simulator.holdAnswers();
  const refreshing = replica.refresh('pa');
  await held.spent;
  fixture.refuseWrites(true);
  held.release();
  await refreshing;
  const client = new Redis(redis.url);
  const keys = await client.keys(`${keyPrefix}*`);
  const values = await Promise.all(keys.map((key) => client.get(key)));
  await client.quit();
  fixture.refuseWrites(false);
  for (const value of values) {
    expect(value).not.toContain(CLIENT.clientSecret);
    expect(value).not.toContain(simulator.currentRefreshToken);
  }
  expect(keys.some((key) => key.endsWith(':outbox'))).toBe(true);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}
