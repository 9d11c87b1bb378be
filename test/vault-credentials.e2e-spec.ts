import request from 'supertest';
import { VaultTestServer } from '@app/credentials/testing';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { ADMIN_TOKEN, BrokerHarness, getToken, putCredentials, startBroker } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';

const SECRET = TEST_SECRETS.vaultClientSecret;
const DEMO = { clientId: 'demo-client', clientSecret: SECRET };
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The broker with its credentials in Vault KV v2 (the test server), logs captured to prove no secret leaks. */
describe('credentials in Vault KV v2', () => {
  const vault = new VaultTestServer();
  const simulator = new SmartDocumentorSimulator(DEMO);
  let broker: BrokerHarness;
  let logs = '';
  const writes: Array<jest.SpyInstance> = [];

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      writes.push(
        jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
          logs += chunk.toString();
          return original(chunk, ...(rest as []));
        }),
      );
    }
    await Promise.all([vault.start(), simulator.start()]);
    broker = await startBroker({
      env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, VAULT_PATH_PREFIX: 'tb-e2e', LOG_LEVEL: 'debug' },
      providersYaml: `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`,
    });
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all([vault.stop(), simulator.stop()]);
    writes.forEach((spy) => spy.mockRestore());
  });

  it('stores credentials in Vault, serves tokens with them, describes them without values, and deletes them', async () => {
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: SECRET });
    expect(vault.latest('tb-e2e', 'sd')?.data).toEqual({ client_id: DEMO.clientId, client_secret: SECRET });
    await getToken(broker, 'sd').expect(200);

    const described = await request(broker.url).get('/admin/credentials/sd').set(admin).expect(200);
    expect(described.body).toMatchObject({ provider: 'sd', fields: ['client_id', 'client_secret'], version: 1 });
    expect(JSON.stringify(described.body)).not.toContain(SECRET);

    await request(broker.url).delete('/admin/credentials/sd').set(admin).expect(204);
    expect(vault.latest('tb-e2e', 'sd')).toBeUndefined();
    expect((await getToken(broker, 'sd').expect(503)).body.error).toBe('credentials_missing');
    expect((await request(broker.url).delete('/admin/credentials/sd').set(admin).expect(404)).body.error).toBe('credentials_not_found');
  });

  it('keeps serving the cached token while Vault is down, and answers writes with a clear 503', async () => {
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: SECRET });
    await getToken(broker, 'sd').expect(200);
    vault.failReads = true;
    vault.failWrites = true;
    try {
      const served = await getToken(broker, 'sd').expect(200);
      expect(simulator.tokens.isValid(served.body.access_token)).toBe(true);
      const put = await request(broker.url)
        .put('/admin/credentials/sd')
        .set(admin)
        .send({ client_id: 'x', client_secret: SECRET })
        .expect(503);
      expect(put.body.error).toBe('credential_store_unavailable');
      expect(JSON.stringify(put.body)).not.toContain(SECRET);
    } finally {
      vault.failReads = false;
      vault.failWrites = false;
    }
  });

  it('never wrote a secret or token to the logs', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(vault.rootToken);
    expect(logs).not.toMatch(/sd-[0-9a-f]{24}/); // access tokens the simulator issued
  });
});

describe('Vault unreachable at startup', () => {
  it('starts anyway and answers credential calls with a clear 503', async () => {
    const broker = await startBroker({
      env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: 'unused-token' },
      providersYaml: 'providers:\n  sd: { type: smartdocumentor }\n',
    });
    try {
      const res = await getToken(broker, 'sd').expect(503);
      expect(res.body.error).toBe('credential_store_unavailable');
    } finally {
      await broker.close();
    }
  });
});
