import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassolutionSimulator, SmartDocumentorSimulator } from '@app/providers/testing';
import { SecretBox } from '@app/credentials';
import { EncryptedFileCredentialStore } from '../libs/credentials/src/encrypted-file-credential-store';
import { BrokerProcess } from './support/broker-process';
import { ADMIN_TOKEN, CALLER_KEY, callersYaml } from './support/broker-harness';
import { freePort, RedisServer } from './support/redis-server';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CLIENT = { clientId: 'pa-client', clientSecret: TEST_SECRETS.passolutionSecret };

/** SIGTERM while a single-use refresh token is being spent: the refresh finishes and is persisted. */
describe('graceful shutdown', () => {
  const redis = new RedisServer();
  const simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 3600 });

  const brokers: BrokerProcess[] = [];

  beforeAll(() => Promise.all([redis.start(), simulator.start()]));
  // a test that failed before its SIGTERM leaves no broker behind to hold the run open
  afterEach(() => Promise.all(brokers.splice(0).map((broker) => broker.kill('SIGKILL'))));
  afterAll(() => Promise.all([redis.stop(), simulator.stop()]));

  /** A Passolution provider `pa` on the simulator, its empty credential store (what a first start makes), and a broker to start on them. */
  async function passolutionSetup(): Promise<{ store: EncryptedFileCredentialStore; start(): Promise<BrokerProcess> }> {
    const dir = mkdtempSync(join(tmpdir(), 'tb-shutdown-'));
    const masterKey = randomBytes(32).toString('base64');
    writeFileSync(join(dir, 'providers.yaml'), `providers:\n  pa: { type: passolution, baseUrl: "${simulator.url}" }\n`);
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    const store = new EncryptedFileCredentialStore(join(dir, 'credentials.enc'), new SecretBox(Buffer.from(masterKey, 'base64')));
    await store.createEmpty();
    return { store, start: () => startBroker(dir, masterKey) };
  }

  async function startBroker(dir: string, masterKey: string): Promise<BrokerProcess> {
    const broker = new BrokerProcess(await freePort(), {
      REDIS_URL: redis.url,
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CREDENTIALS_FILE: join(dir, 'credentials.enc'),
      BROKER_MASTER_KEY: masterKey,
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'debug',
    });
    brokers.push(broker);
    await broker.start();
    return broker;
  }

  it('lets an in-flight refresh finish and commit, then exits on the signal', async () => {
    const { store, start } = await passolutionSetup();
    await store.put('pa', { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: simulator.currentRefreshToken });
    simulator.delayMs = 1_500; // the pre-warm at startup will still be at the upstream when SIGTERM arrives
    const broker = await start();
    await waitFor(() => simulator.calls.length === 1); // the refresh token is being spent now
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => broker.onExit(resolve));
    const sentAt = Date.now();
    await broker.kill('SIGTERM');

    // Nest re-raises SIGTERM once its shutdown hooks are done: a clean exit, not a crash
    expect(await exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(Date.now() - sentAt).toBeGreaterThan(500); // it waited for the upstream's answer
    expect(shutdownLines(broker)).toEqual([
      expect.stringMatching(/Shutting down on SIGTERM: waited \d+\.\d s for 1 refresh to finish and persist \(pa\)/),
    ]);
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
    expect((await store.get('pa'))?.values.refresh_token).toBe(simulator.currentRefreshToken);
  });

  it('lets a refresh no scheduler started (the one after an admin write) finish and commit too', async () => {
    const { store, start } = await passolutionSetup(); // no credentials yet: the start-up pre-warm has nothing to refresh
    simulator.delayMs = 1_500;
    const broker = await start();
    const callsBefore = simulator.calls.length;
    const written = await fetch(`${broker.url}/admin/credentials/pa`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        refresh_token: simulator.currentRefreshToken,
      }),
    });
    expect(written.status).toBe(204);
    await waitFor(() => simulator.calls.length === callsBefore + 1); // the admin write's refresh is spending the token
    const exit = new Promise((resolve) => broker.onExit(resolve));
    await broker.kill('SIGTERM');
    await exit;

    // the one line an operator reads names the refresh it waited for, though no scheduler check started it
    expect(shutdownLines(broker)).toEqual([
      expect.stringMatching(/Shutting down on SIGTERM: waited \d+\.\d s for 1 refresh to finish and persist \(pa\)/),
    ]);
    expect(simulator.report()).toMatchObject({ reuses: 0 });
    // the rotated refresh token was committed before the process ended, not lost with it
    expect((await store.get('pa'))?.values.refresh_token).toBe(simulator.currentRefreshToken);
  });

  it('loses no log line on SIGTERM under load: every token handed out has its audit line', async () => {
    const upstream = new SmartDocumentorSimulator({ clientId: 'sd-client', clientSecret: TEST_SECRETS.clientSecret });
    await upstream.start();
    const dir = mkdtempSync(join(tmpdir(), 'tb-shutdown-'));
    writeFileSync(join(dir, 'providers.yaml'), `providers:\n  sd: { type: smartdocumentor, baseUrl: "${upstream.url}" }\n`);
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    const broker = new BrokerProcess(await freePort(), {
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CREDENTIALS_FILE: join(dir, 'credentials.enc'),
      BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      CALLER_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'info', // production's buffered writes
    });
    brokers.push(broker);
    await broker.start();
    const seeded = await fetch(`${broker.url}/admin/credentials/sd`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'sd-client', client_secret: TEST_SECRETS.clientSecret }),
    });
    expect(seeded.status).toBe(204);
    // buffered, yet a lone request's line is out while the broker runs, not held until shutdown
    const first = await fetch(`${broker.url}/tokens/sd`, { headers: { authorization: `Bearer ${CALLER_KEY}`, 'x-request-id': 'lone-1' } });
    expect(first.status).toBe(200);
    await waitFor(() => broker.output.includes('"reqId":"lone-1"'), 1_000);
    const exit = new Promise((resolve) => broker.onExit(resolve));
    let stopping = false;
    const answered: string[] = [];
    const callers = Array.from({ length: 20 }, async (_, caller) => {
      for (let i = 0; !stopping || i % 5 !== 0; i += 1) {
        const id = `load-${caller}-${i}`;
        const res = await fetch(`${broker.url}/tokens/sd`, {
          headers: { authorization: `Bearer ${CALLER_KEY}`, 'x-request-id': id },
        }).catch(() => undefined);
        if (!res) return;
        if (res.status === 200) answered.push(id);
        await res.arrayBuffer();
      }
    });
    await waitFor(() => answered.length > 2_000, 20_000);
    stopping = true;
    await broker.kill('SIGTERM');
    await Promise.all(callers);
    await exit;
    await upstream.stop();
    const logged = new Set(
      broker.output
        .split('\n')
        .filter((line) => line.includes('"token_issued"'))
        .map((line) => (JSON.parse(line) as { reqId: string }).reqId),
    );
    process.stdout.write(`\nSIGTERM under load: ${answered.length} tokens handed out, ${logged.size} audit lines\n`);
    expect(answered.filter((id) => !logged.has(id))).toEqual([]);
  });
});

/** The lines an operator reads after a restart: what shutdown waited for. */
function shutdownLines(broker: BrokerProcess): string[] {
  return broker.output.split('\n').filter((line) => line.includes('Shutting down'));
}
