import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigModule } from '@app/config';
import { CREDENTIAL_STORE, type CredentialStore } from '@app/credentials';
import { LockUnavailableError, ReauthorizationRequiredError } from '@app/errors';
import { ProviderRegistry } from '@app/providers';
import { PassolutionSimulator } from '@app/providers/testing';
import { TOKEN_STORE, type TokenStore } from '@app/token-store';
import { Module } from '@nestjs/common';
import { RefreshModule } from './refresh.module';
import { CLAIM_FIELD } from './refresh-claim';
import { TokenRefresher } from './token-refresher.service';

const CLIENT = { clientId: 'pa-client', clientSecret: 'pa-secret-value' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One broker "replica" without HTTP: the refresh path with real Redis and a real credentials file. */
async function startReplica(dir: string, prefix: string, upstreamUrl: string): Promise<INestApplicationContext> {
  writeFileSync(join(dir, 'providers.yaml'), `providers:\n  pa: { type: passolution, baseUrl: "${upstreamUrl}" }\n`);
  const env = {
    PROVIDERS_FILE: join(dir, 'providers.yaml'),
    CREDENTIALS_FILE: join(dir, 'credentials.enc'),
    BROKER_MASTER_KEY: MASTER_KEY,
    REDIS_URL: process.env.TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    UPSTREAM_TIMEOUT_MS: '1000',
    LOCK_TTL_MS: '600',
  };
  @Module({ imports: [ConfigModule.forRoot({ env, isGlobal: true }), RefreshModule] })
  class ReplicaModule {}
  return NestFactory.createApplicationContext(ReplicaModule, { logger: false });
}
const MASTER_KEY = randomBytes(32).toString('base64');

describe('RotatingCredentialRefresh (Passolution protocol)', () => {
  let simulator: PassolutionSimulator;
  let dir: string;
  let replicas: INestApplicationContext[];
  let store: CredentialStore;

  const refresh = (replica = replicas[0]) => {
    const instance = replica.get(ProviderRegistry).get('pa');
    return replica.get(TokenRefresher).refresh(instance, { validUntil: Number.POSITIVE_INFINITY, lockWaitMs: 5_000 });
  };

  beforeEach(async () => {
    simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 60 });
    await simulator.start();
    dir = mkdtempSync(join(tmpdir(), 'tb-rotating-'));
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    replicas = [await startReplica(dir, prefix, simulator.url), await startReplica(dir, prefix, simulator.url)];
    store = replicas[0].get(CREDENTIAL_STORE);
    await store.put('pa', { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: simulator.currentRefreshToken });
  });

  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await simulator.stop();
  });

  it('commits the rotated refresh token and clears its claim before returning', async () => {
    const token = await refresh();
    expect(simulator.tokens.isValid(token.accessToken)).toBe(true);
    const record = await store.get('pa');
    expect(record?.values.refresh_token).toBe(simulator.currentRefreshToken);
    expect(record?.values[CLAIM_FIELD]).toBeUndefined();
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
  });

  it('never presents one refresh token twice when two replicas refresh at once, many times over', async () => {
    for (let round = 0; round < 10; round += 1) {
      await Promise.allSettled([refresh(replicas[0]), refresh(replicas[1])]);
    }
    const report = simulator.report();
    expect(report.reuses).toBe(0);
    expect(report.refreshes).toBeGreaterThanOrEqual(10);
    expect((await store.get('pa'))?.values.refresh_token).toBe(report.currentRefreshToken);
  });

  it('keeps the lock while the upstream answers slower than the lock TTL', async () => {
    simulator.delayMs = 900; // LOCK_TTL_MS is 600
    const results = await Promise.allSettled([refresh(replicas[0]), refresh(replicas[1])]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(simulator.report()).toMatchObject({ refreshes: 2, reuses: 0, overlappingUses: 0 });
  });

  it('refuses a stale writer: a claim on an old version fails before any upstream call', async () => {
    const stale = await store.get('pa');
    await refresh(); // another holder moves the version on
    await expect(store.put('pa', { ...stale!.values, [CLAIM_FIELD]: '{}' }, stale!.version)).rejects.toMatchObject({ code: 'credential_conflict' });
    expect(simulator.report().refreshes).toBe(1);
  });

  it('keeps a live claim exclusive, and presents the token once more after its deadline (outcome unknown)', async () => {
    const record = await store.get('pa');
    const claim = { attemptId: 'dead-holder', deadline: Date.now() + 1_500, recovering: false };
    await store.put('pa', { ...record!.values, [CLAIM_FIELD]: JSON.stringify(claim) }, record!.version);
    await expect(refresh()).rejects.toBeInstanceOf(LockUnavailableError);
    expect(simulator.report().refreshes).toBe(0);

    await sleep(1_600);
    await refresh(); // the dead holder never reached the upstream: the token still works
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
  });

  it('marks reauthorization_required on invalid_grant and stops calling the upstream', async () => {
    const record = await store.get('pa');
    await store.put('pa', { ...record!.values, refresh_token: 'def-revoked' }, record!.version);
    await expect(refresh()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    const calls = simulator.calls.length;
    await expect(refresh()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(simulator.calls.length).toBe(calls);
    expect(await replicas[0].get<TokenStore>(TOKEN_STORE).getStatus('pa')).toMatchObject({ state: 'reauthorization_required' });
  });

  it('keeps a new refresh token in the outbox while the store refuses writes, then commits it', async () => {
    simulator.delayMs = 300;
    const running = refresh();
    await sleep(150); // claimed, upstream call in flight
    mkdirSync(join(dir, 'credentials.enc.lock')); // the file store can no longer take its write lock
    const token = await running;
    expect(simulator.tokens.isValid(token.accessToken)).toBe(true);
    const tokens = replicas[0].get<TokenStore>(TOKEN_STORE);
    expect(await tokens.getStatus('pa')).toMatchObject({ state: 'degraded', durableWritePending: true });
    expect((await tokens.getPending('pa'))?.values.refresh_token).toBe(simulator.currentRefreshToken);
    expect((await store.get('pa'))?.values.refresh_token).not.toBe(simulator.currentRefreshToken);

    rmdirSync(join(dir, 'credentials.enc.lock'));
    await waitFor(async () => (await store.get('pa'))?.values.refresh_token === simulator.currentRefreshToken);
    await waitFor(async () => (await tokens.getPending('pa')) === undefined); // the outbox is deleted just after the commit
    simulator.delayMs = 0;
    await refresh(replicas[1]); // the next refresh starts from the committed token
    expect(simulator.report()).toMatchObject({ refreshes: 2, reuses: 0 });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}
