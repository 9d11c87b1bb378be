import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassolutionSimulator } from '@app/providers/testing';
import { readOutbox } from '@app/refresh/testing';
import { SecretBox } from '@app/credentials';
import { EncryptedFileCredentialStore } from '../libs/credentials/src/encrypted-file-credential-store';
import { BrokerProcess } from './support/broker-process';
import { freePort, RedisServer } from './support/redis-server';
import { CALLER_KEY, callersYaml } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';

const CLIENT = { clientId: 'pa-client', clientSecret: TEST_SECRETS.passolutionSecret };
const ADMIN = TEST_SECRETS.adminToken;
const RUN_MS = 70_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Served {
  at: number;
  status: number;
  token?: string;
  error?: string;
}

/**
 * Issue 3's proof: three broker processes on one Redis refresh a single-use token about once a
 * second while replicas are SIGKILLed, the upstream answers slower than the lock TTL, Redis
 * restarts and the credential store refuses writes. The upstream must never see a token reused
 * after its successor was used, and the broker must end holding the upstream's current token.
 */
describe('Passolution across three processes under faults', () => {
  jest.setTimeout(RUN_MS + 60_000);
  const redis = new RedisServer();
  const simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'tb-multi-'));
  const masterKey = randomBytes(32).toString('base64');
  const prefix = 'mp:';
  let brokers: BrokerProcess[] = [];

  beforeAll(async () => {
    await Promise.all([redis.start(), simulator.start()]);
    writeFileSync(join(dir, 'providers.yaml'), `providers:\n  passolution: { type: passolution, baseUrl: "${simulator.url}", refreshBefore: 50% }\n`);
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: ['passolution'] } }));
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CALLER_RATE_LIMIT: '1000000',
      CREDENTIALS_FILE: join(dir, 'credentials.enc'),
      BROKER_MASTER_KEY: masterKey,
      BROKER_ADMIN_TOKEN: ADMIN,
      REFRESH_TICK_MS: '100',
      LOCK_TTL_MS: '600',
      LOCK_WAIT_MS: '3000',
      UPSTREAM_TIMEOUT_MS: '2500',
      LOG_LEVEL: 'debug', // captured and checked for secrets at teardown
    };
    brokers = await Promise.all([0, 1, 2].map(async () => new BrokerProcess(await freePort(), env)));
    await Promise.all(brokers.map((broker) => broker.start()));
  });

  afterAll(async () => {
    await Promise.all(brokers.map((broker) => broker.kill()));
    await Promise.all([redis.stop(), simulator.stop()]);
  });

  it('never reuses a refresh token whose successor was used, and ends holding the current one', async () => {
    await seed(brokers[0], simulator.currentRefreshToken);
    const served: Served[] = [];
    const stopAt = Date.now() + RUN_MS;
    const running = () => Date.now() < stopAt;
    const live = () => brokers.filter((broker) => broker.running);
    const counts = { kills: 0, reauthorizations: 0 };

    const callers = Array.from({ length: 6 }, async () => {
      while (running()) {
        const targets = live();
        const broker = targets[Math.floor(Math.random() * targets.length)];
        if (broker) served.push(await fetchToken(broker));
        await sleep(15);
      }
    });

    // a person re-authorizes when the broker says it must (only after the one window no design closes)
    const operator = (async () => {
      while (running()) {
        await sleep(300);
        const broker = live()[0];
        if (!broker) continue;
        const answer = await fetchToken(broker);
        if (answer.error === 'reauthorization_required') {
          counts.reauthorizations += 1;
          await seed(broker, simulator.currentRefreshToken);
        }
      }
    })();

    const killRandomReplica = async () => {
      const victim = live()[Math.floor(Math.random() * live().length)];
      if (!victim) return;
      counts.kills += 1;
      await victim.kill('SIGKILL');
      await sleep(300);
      await victim.start();
    };

    const chaos = (async () => {
      const at = async (ms: number) => sleep(Math.max(0, ms - (RUN_MS - (stopAt - Date.now()))));
      for (const moment of [5_000, 11_000, 17_000]) {
        await at(moment + Math.random() * 3_000);
        await killRandomReplica(); // random point of the refresh cycle
      }
      await at(22_000);
      const calls = simulator.calls.length;
      while (simulator.calls.length === calls && running()) await sleep(2);
      await killRandomReplica(); // right as a refresh reaches the upstream
      await at(26_000);
      simulator.delayMs = 900; // slower than LOCK_TTL_MS: the lock must be extended
      await at(34_000);
      simulator.delayMs = 0;
      await at(40_000);
      await redis.kill(); // restart without persistence: Redis forgets everything
      await sleep(300);
      await redis.start();
      await at(48_000);
      mkdirSync(join(dir, 'credentials.enc.lock')); // the credential store refuses writes
      await at(54_000);
      rmdirSync(join(dir, 'credentials.enc.lock'));
      await at(58_000 + Math.random() * 4_000);
      await killRandomReplica();
    })();

    await Promise.all([...callers, operator, chaos]);
    await sleep(3_000); // let a last refresh and any outbox commit settle

    const report = simulator.report();
    const held = await heldRefreshToken();
    const expired = served.filter((s) => s.status === 200 && !(simulator.tokens.expiryOf(s.token!)! > s.at));
    // a 5xx is a failure only if a token the callers had already been given still had life left
    const latestExpiryBefore = (at: number) =>
      Math.max(0, ...served.filter((s) => s.status === 200 && s.at < at).map((s) => simulator.tokens.expiryOf(s.token!) ?? 0));
    const failedWhileValid = served.filter((s) => s.status >= 500 && latestExpiryBefore(s.at) > s.at + 500);
    const summary = {
      refreshCycles: report.refreshes,
      reusesAfterSuccessorUsed: report.reusesAfterSuccessorUsed,
      overlappingUses: report.overlappingUses,
      reusesOfLostTokens: report.reuses - report.reusesAfterSuccessorUsed,
      kills: counts.kills,
      reauthorizations: counts.reauthorizations,
      callerRequests: served.length,
      expiredTokensServed: expired.length,
      fiveXxWhileValidTokenExisted: failedWhileValid.length,
      brokerHoldsCurrentRefreshToken: held === report.currentRefreshToken,
    };
    process.stdout.write(`\nPassolution multi-process run: ${JSON.stringify(summary, null, 2)}\n`);

    expect(report.refreshes).toBeGreaterThanOrEqual(60);
    expect(report.reusesAfterSuccessorUsed).toBe(0);
    expect(report.overlappingUses).toBe(0);
    expect(held).toBe(report.currentRefreshToken);
    expect(expired).toEqual([]);
    expect(failedWhileValid).toEqual([]);
    expect(counts.reauthorizations).toBeLessThanOrEqual(counts.kills);
  });

  async function heldRefreshToken(): Promise<string | undefined> {
    const pending = await readOutbox(redis.url, prefix, 'passolution', masterKey);
    if (pending) return pending.rotated.refresh_token;
    const store = new EncryptedFileCredentialStore(join(dir, 'credentials.enc'), new SecretBox(Buffer.from(masterKey, 'base64')));
    return (await store.get('passolution'))?.values.refresh_token;
  }
});

async function seed(broker: BrokerProcess, refreshToken: string): Promise<void> {
  const res = await fetch(`${broker.url}/admin/credentials/passolution`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: refreshToken }),
  });
  if (res.status !== 204) throw new Error(`seeding credentials answered ${res.status}`);
}

async function fetchToken(broker: BrokerProcess): Promise<Served> {
  try {
    const res = await fetch(`${broker.url}/tokens/passolution`, { headers: { authorization: `Bearer ${CALLER_KEY}` } });
    const body = (await res.json()) as { access_token?: string; error?: string };
    return { at: Date.now(), status: res.status, token: body.access_token, error: body.error };
  } catch {
    return { at: Date.now(), status: 0, error: 'connection' }; // a replica that was just killed
  }
}
