import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { PassolutionSimulator, SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerProcess } from './support/broker-process';
import { ADMIN_TOKEN, BrokerHarness, CALLER_KEY, callersYaml, getToken, putCredentials, startBroker } from './support/broker-harness';
import { freePort } from './support/redis-server';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CLI = join(process.cwd(), 'dist/apps/broker-cli/src/main.js');
const SD = { clientId: 'sd-client', clientSecret: TEST_SECRETS.clientSecret };
const PA = { clientId: 'pa-client', clientSecret: TEST_SECRETS.passolutionSecret };
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** `npm run -s cli -- credentials init` with a broker's environment. */
function credentialsInit(env: Record<string, string>): { status: number | null; stdout: string } {
  const { status, stdout } = spawnSync(process.execPath, [CLI, 'credentials', 'init'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { status, stdout };
}

/** Issue 16.9: the credentials file deleted under a running broker is a lost store, not an empty one. */
describe('credentials file deleted while the broker runs', () => {
  const sd = new SmartDocumentorSimulator(SD);
  const pa = new PassolutionSimulator(PA);
  let broker: BrokerHarness;
  let file: string;

  beforeAll(async () => {
    await Promise.all([sd.start(), pa.start()]);
    broker = await startBroker({
      providersYaml: `providers:\n  sd: { type: smartdocumentor, baseUrl: "${sd.url}" }\n  pa: { type: passolution, baseUrl: "${pa.url}" }\n`,
    });
    file = broker.env.CREDENTIALS_FILE;
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all([sd.stop(), pa.stop()]);
  });

  // fails on the old code: the deleted file read as an empty store, so readiness said 200 and the admin write created a new file
  it('says not ready, keeps serving known tokens, refuses what needs the store and recreates nothing until a person runs credentials init', async () => {
    await putCredentials(broker, 'sd', { client_id: SD.clientId, client_secret: SD.clientSecret });
    await putCredentials(broker, 'pa', { client_id: PA.clientId, client_secret: PA.clientSecret, refresh_token: pa.currentRefreshToken });
    const known = (await getToken(broker, 'sd').expect(200)).body.access_token as string;
    // the rotation the seeding started is done, with its store writes: one under way at the deletion would
    // finish by renaming the whole store, as read just before, back into place
    await getToken(broker, 'pa').expect(200);
    await request(broker.url).get('/health/ready').expect(200);

    rmSync(file);

    const ready = await request(broker.url).get('/health/ready').expect(503);
    expect(ready.body).toEqual({ error: 'not_ready', message: expect.stringContaining(`Credentials file ${file} is missing`) });
    expect((await getToken(broker, 'sd').expect(200)).body.access_token).toBe(known);
    const put = await request(broker.url)
      .put('/admin/credentials/sd')
      .set(admin)
      .send({ client_id: SD.clientId, client_secret: SD.clientSecret })
      .expect(503);
    expect(put.body).toEqual({
      error: 'credential_store_unavailable',
      message: expect.stringContaining(`Credentials file ${file} is missing`),
    });
    // a single-use refresh token can only come from the store
    const refresh = await request(broker.url).post('/tokens/pa/refresh').set(admin).expect(503);
    expect(refresh.body.error).toBe('credential_store_unavailable');
    await new Promise((resolve) => setTimeout(resolve, 500)); // several scheduler ticks
    expect(existsSync(file)).toBe(false);

    expect(credentialsInit(broker.env)).toEqual({ status: 0, stdout: `Created an empty credential store: encrypted file ${file}\n` });

    await request(broker.url).get('/health/ready').expect(200);
    await putCredentials(broker, 'sd', { client_id: SD.clientId, client_secret: SD.clientSecret });
    expect((await request(broker.url).get('/admin/credentials/sd').set(admin).expect(200)).body).toMatchObject({ version: 1 });
    await getToken(broker, 'sd').expect(200);
  });
});

/** The rule for a start without the credentials file, and the file checks, in real processes with the default key-file setup. */
describe('a broker process with its key in a file', () => {
  jest.setTimeout(60_000);
  const sd = new SmartDocumentorSimulator(SD);
  let dir: string;
  let env: Record<string, string>;
  let started: BrokerProcess[] = [];

  /** Stopped after the test whatever happens, including one that should have refused to start and did not. */
  async function brokerProcess(extra: Record<string, string> = {}): Promise<BrokerProcess> {
    const broker = new BrokerProcess(await freePort(), { ...env, ...extra });
    started.push(broker);
    return broker;
  }

  async function firstStart(): Promise<void> {
    const first = await brokerProcess();
    await first.start();
    await first.kill('SIGTERM');
  }

  beforeAll(() => sd.start());
  afterAll(() => sd.stop());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tb-files-'));
    writeFileSync(join(dir, 'providers.yaml'), `providers:\n  sd: { type: smartdocumentor, baseUrl: "${sd.url}" }\n`);
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    env = {
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CREDENTIALS_FILE: join(dir, 'data', 'credentials.enc'),
      BROKER_MASTER_KEY_FILE: join(dir, 'data', 'master.key'),
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'debug',
    };
  });

  afterEach(async () => {
    await Promise.all(started.map((broker) => broker.kill('SIGTERM')));
    started = [];
    rmSync(dir, { recursive: true, force: true });
  });

  // fails on the old code: no credentials file was created, and the restarted broker took the missing file for an empty store
  it('creates both files on a first start; after the credentials file is lost, a restart stays not ready until credentials init', async () => {
    await firstStart();
    expect(existsSync(env.CREDENTIALS_FILE) && existsSync(env.BROKER_MASTER_KEY_FILE)).toBe(true);
    rmSync(env.CREDENTIALS_FILE);

    const restarted = await brokerProcess();
    await restarted.start();
    const ready = await request(restarted.url).get('/health/ready').expect(503);
    expect(ready.body.message).toContain(`Credentials file ${env.CREDENTIALS_FILE} is missing`);
    expect(existsSync(env.CREDENTIALS_FILE)).toBe(false);
    expect(credentialsInit(env).status).toBe(0);
    await request(restarted.url).get('/health/ready').expect(200);
  });

  // fails on the old code: the broker started on a key file anyone could read, in a directory anyone could swap it in
  it.each([
    [
      'a key file group and others can read',
      () => chmodSync(env.BROKER_MASTER_KEY_FILE, 0o644),
      () => `chmod 600 ${env.BROKER_MASTER_KEY_FILE}`,
    ],
    ['a directory others can write', () => chmodSync(join(dir, 'data'), 0o777), () => `chmod o-w ${join(dir, 'data')}`],
  ])('refuses to start with %s, in one line on stderr saying what to run', async (_case, loosen, fix) => {
    await firstStart();
    loosen();
    const refused = await brokerProcess();
    await expect(refused.start()).rejects.toThrow(/broker exited with 1/);
    expect(refused.stderr).toMatch(new RegExp(`^token-broker failed to start: ConfigError: [^\\n]*: run ${escape(fix())}\\n$`));
    expect(refused.output).toBe(refused.stderr);

    const warned = await brokerProcess({ CREDENTIALS_FILE_PERMISSIONS: 'warn' });
    await warned.start();
    await request(warned.url).get('/health/ready').expect(200);
    await warned.kill('SIGTERM');
    // log lines are buffered until shutdown
    await waitFor(() => warned.output.includes(`run ${fix()} (starting anyway: CREDENTIALS_FILE_PERMISSIONS=warn)`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
