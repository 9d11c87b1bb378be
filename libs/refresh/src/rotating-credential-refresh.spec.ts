import { randomBytes } from 'node:crypto';
import type { CredentialStore } from '@app/credentials';
import { VaultTestServer } from '@app/credentials/testing';
import { LockUnavailableError, ReauthorizationRequiredError } from '@app/errors';
import { PassolutionSimulator } from '@app/providers/testing';
import { CLAIM_FIELD } from './refresh-claim';
import { fileBackend, startReplica, vaultBackend, type BackendFixture, type RefreshReplica } from './testing/refresh-replica';

const CLIENT = { clientId: 'pa-client', clientSecret: 'pa-secret-value' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const vault = new VaultTestServer();
beforeAll(() => vault.start());
afterAll(() => vault.stop());

describe.each([
  ['encrypted file', () => fileBackend()],
  ['Vault KV v2', () => vaultBackend(vault)],
])('RotatingCredentialRefresh (Passolution protocol) on the %s store', (_name, makeBackend: () => BackendFixture) => {
  let simulator: PassolutionSimulator;
  let fixture: BackendFixture;
  let replicas: RefreshReplica[];
  let store: CredentialStore;

  beforeEach(async () => {
    simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 60 });
    await simulator.start();
    fixture = makeBackend();
    const redisPrefix = `t${randomBytes(4).toString('hex')}:`;
    const providersYaml = `providers:\n  pa: { type: passolution, baseUrl: "${simulator.url}" }\n`;
    replicas = await Promise.all([0, 1].map(() => startReplica({ backend: fixture.backend, redisPrefix, providersYaml })));
    store = replicas[0].credentials;
    await store.put('pa', { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: simulator.currentRefreshToken });
  });

  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await simulator.stop();
  });

  it('commits the rotated refresh token and clears its claim before returning', async () => {
    const token = await replicas[0].refresh('pa');
    expect(simulator.tokens.isValid(token.accessToken)).toBe(true);
    const record = await store.get('pa');
    expect(record?.values.refresh_token).toBe(simulator.currentRefreshToken);
    expect(record?.values[CLAIM_FIELD]).toBeUndefined();
    expect(token.fence).toBe(record?.version); // the store's version fences the token write
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
  });

  it('never presents one refresh token twice when two replicas refresh at once, many times over', async () => {
    for (let round = 0; round < 8; round += 1) {
      await Promise.allSettled([replicas[0].refresh('pa', { lockWaitMs: 3_000 }), replicas[1].refresh('pa', { lockWaitMs: 3_000 })]);
    }
    const report = simulator.report();
    expect(report.reuses).toBe(0);
    expect(report.refreshes).toBeGreaterThanOrEqual(8);
    expect((await store.get('pa'))?.values.refresh_token).toBe(report.currentRefreshToken);
  });

  it('keeps the lock and the claim while the upstream answers slower than the lock TTL', async () => {
    simulator.delayMs = 900; // LOCK_TTL_MS is 600
    const results = await Promise.allSettled([
      replicas[0].refresh('pa', { lockWaitMs: 5_000 }),
      replicas[1].refresh('pa', { lockWaitMs: 5_000 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(simulator.report()).toMatchObject({ refreshes: 2, reuses: 0, overlappingUses: 0 });
  });

  it('refuses a stale writer: a claim on an old version fails before any upstream call', async () => {
    const stale = await store.get('pa');
    await replicas[0].refresh('pa'); // another holder moves the version on
    await expect(store.put('pa', { ...stale!.values, [CLAIM_FIELD]: '{}' }, stale!.version)).rejects.toMatchObject({
      code: 'credential_conflict',
    });
    expect(simulator.report().refreshes).toBe(1);
  });

  it("keeps a dead holder's claim exclusive until its lease ends, then presents the token once more", async () => {
    const record = await store.get('pa');
    const claim = { attemptId: 'dead-holder', deadline: Date.now() + 1_500, recovering: false };
    await store.put('pa', { ...record!.values, [CLAIM_FIELD]: JSON.stringify(claim) }, record!.version);
    await expect(replicas[0].refresh('pa')).rejects.toBeInstanceOf(LockUnavailableError);
    expect(simulator.report().refreshes).toBe(0);

    await sleep(1_600);
    await replicas[0].refresh('pa'); // the dead holder never reached the upstream: the token still works
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
  });

  it('keeps a live claim when a person stores the very refresh token being spent, and drops it for a new one', async () => {
    const values = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: simulator.currentRefreshToken };
    const record = await store.get('pa');
    const claim = { attemptId: 'holder', deadline: Date.now() + 60_000, recovering: false };
    await store.put('pa', { ...record!.values, [CLAIM_FIELD]: JSON.stringify(claim) }, record!.version);
    await replicas[0].seed('pa', values);
    await expect(replicas[1].refresh('pa')).rejects.toBeInstanceOf(LockUnavailableError);
    expect(simulator.calls).toHaveLength(0);

    await replicas[0].seed('pa', { ...values, refresh_token: simulator.reauthorize() });
    await expect(replicas[1].refresh('pa')).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('marks reauthorization_required on invalid_grant and stops calling the upstream', async () => {
    const record = await store.get('pa');
    await store.put('pa', { ...record!.values, refresh_token: 'def-revoked' }, record!.version);
    await expect(replicas[0].refresh('pa')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    const calls = simulator.calls.length;
    await expect(replicas[1].refresh('pa')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(simulator.calls.length).toBe(calls);
    expect(await replicas[1].describe('pa')).toMatchObject({ state: 'reauthorization_required', lastError: { code: 'invalid_grant' } });
  });

  it('says which part the upstream refused: a wrong client secret is not an expired grant', async () => {
    const record = await store.get('pa');
    await store.put('pa', { ...record!.values, client_secret: 'not-the-secret' }, record!.version);
    const error = (await replicas[0].refresh('pa').catch((e: unknown) => e)) as ReauthorizationRequiredError;
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(error).toMatchObject({ reason: 'invalid_client' });
    expect(error.message).toMatch(/check client_id, client_secret/);
    expect(await replicas[1].describe('pa')).toMatchObject({ state: 'reauthorization_required', lastError: { code: 'invalid_client' } });
  });

  it('keeps a new refresh token in the outbox while the store refuses writes, then commits it', async () => {
    const held = simulator.holdAnswers();
    const running = replicas[0].refresh('pa');
    await held.spent; // claimed, the upstream's answer held
    fixture.refuseWrites(true);
    held.release();
    const token = await running;
    expect(simulator.tokens.isValid(token.accessToken)).toBe(true);
    expect(await replicas[1].describe('pa')).toMatchObject({ state: 'degraded', durableWritePending: true });
    expect((await store.get('pa'))?.values.refresh_token).not.toBe(simulator.currentRefreshToken);

    fixture.refuseWrites(false);
    await waitFor(async () => (await store.get('pa'))?.values.refresh_token === simulator.currentRefreshToken);
    await replicas[1].refresh('pa'); // the next refresh starts from the committed token
    expect(simulator.report()).toMatchObject({ refreshes: 2, reuses: 0 });
  });
});

/**
 * `expiresAt - readyAt` is what `minTtl` checks trust a fresh token to give a caller: it must never
 * exceed what it gave, however slow the credential writes around the upstream call. The lifetime
 * refresh timing divides (`expiresAt - obtainedAt`) still counts from when the refresh began.
 */
it("stamps a token ready once a slow claim write and the commit are done, keeping its lifetime from the refresh's start", async () => {
  const simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 60 });
  await simulator.start();
  const providersYaml = `providers:\n  pa: { type: passolution, baseUrl: "${simulator.url}" }\n`;
  const replica = await startReplica({
    backend: vaultBackend(vault).backend,
    redisPrefix: `t${randomBytes(4).toString('hex')}:`,
    providersYaml,
  });
  try {
    await replica.credentials.put('pa', {
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      refresh_token: simulator.currentRefreshToken,
    });
    vault.delayNextWrites(700); // the claim, written before the upstream is asked

    const token = await replica.refresh('pa');
    expect(token.expiresAt - token.readyAt!).toBeLessThanOrEqual(60_000);
    expect(token.expiresAt - token.readyAt!).toBeGreaterThan(55_000);
    expect(token.expiresAt - token.obtainedAt).toBeGreaterThanOrEqual(60_700);
  } finally {
    await replica.close();
    await simulator.stop();
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}
