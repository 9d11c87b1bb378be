import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassolutionSimulator } from '@app/providers/testing';
import { SecretBox } from '@app/credentials';
import { EncryptedFileCredentialStore } from '../libs/credentials/src/encrypted-file-credential-store';
import { BrokerProcess } from './support/broker-process';
import { CALLER_KEY, callersYaml } from './support/broker-harness';
import { freePort, RedisServer } from './support/redis-server';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CLIENT = { clientId: 'pa-client', clientSecret: TEST_SECRETS.passolutionSecret };

/** SIGTERM while a single-use refresh token is being spent: the refresh finishes and is persisted. */
describe('graceful shutdown', () => {
  const redis = new RedisServer();
  const simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 3600 });

  beforeAll(() => Promise.all([redis.start(), simulator.start()]));
  afterAll(() => Promise.all([redis.stop(), simulator.stop()]));

  it('lets an in-flight refresh finish and commit, then exits on the signal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-shutdown-'));
    const masterKey = randomBytes(32).toString('base64');
    writeFileSync(join(dir, 'providers.yaml'), `providers:\n  pa: { type: passolution, baseUrl: "${simulator.url}" }\n`);
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    const credentialsFile = join(dir, 'credentials.enc');
    const store = new EncryptedFileCredentialStore(credentialsFile, new SecretBox(Buffer.from(masterKey, 'base64')));
    await store.put('pa', { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: simulator.currentRefreshToken });
    simulator.delayMs = 1_500; // the pre-warm at startup will still be at the upstream when SIGTERM arrives

    const broker = new BrokerProcess(await freePort(), {
      REDIS_URL: redis.url,
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CREDENTIALS_FILE: credentialsFile,
      BROKER_MASTER_KEY: masterKey,
      LOG_LEVEL: 'debug',
    });
    await broker.start();
    await waitFor(() => simulator.calls.length === 1); // the refresh token is being spent now
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => broker.onExit(resolve));
    const sentAt = Date.now();
    await broker.kill('SIGTERM');

    // Nest re-raises SIGTERM once its shutdown hooks are done: a clean exit, not a crash
    expect(await exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(Date.now() - sentAt).toBeGreaterThan(500); // it waited for the upstream's answer
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
    expect((await store.get('pa'))?.values.refresh_token).toBe(simulator.currentRefreshToken);
  });
});
