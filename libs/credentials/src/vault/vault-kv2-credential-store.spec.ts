import type { VaultCredentialStoreConfig } from '@app/config';
import { VaultTestServer } from '../testing/vault-test-server';
import { credentialStoreContract } from '../testing/credential-store.contract';
import { VaultKv2CredentialStore } from './vault-kv2-credential-store';
import { VaultSession } from './vault-session';

const server = new VaultTestServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

function storeFor(
  config: Omit<VaultCredentialStoreConfig, 'backend' | 'kvMount' | 'pathPrefix'>,
  pathPrefix = `tb-${Math.random().toString(36).slice(2)}`,
) {
  const full: VaultCredentialStoreConfig = { backend: 'vault', kvMount: 'secret', pathPrefix, ...config };
  return { store: new VaultKv2CredentialStore(full, new VaultSession(full)), pathPrefix };
}

credentialStoreContract('VaultKv2CredentialStore (KV v2 test server)', async () => {
  const { store, pathPrefix } = storeFor({ address: server.url, auth: { method: 'token', token: server.rootToken } });
  return { store, corrupt: async (provider) => server.putRaw(`${pathPrefix}/${provider}`, { api_key: 42 }) };
});

const realVault =
  process.env.VAULT_ADDR && process.env.VAULT_TOKEN ? { address: process.env.VAULT_ADDR, token: process.env.VAULT_TOKEN } : undefined;
if (realVault) {
  credentialStoreContract(`VaultKv2CredentialStore (real Vault at ${realVault.address})`, async () => {
    const { store, pathPrefix } = storeFor({ address: realVault.address, auth: { method: 'token', token: realVault.token } });
    const session = new VaultSession({
      backend: 'vault',
      address: realVault.address,
      auth: { method: 'token', token: realVault.token },
      kvMount: 'secret',
      pathPrefix,
    });
    return {
      store,
      corrupt: async (provider) =>
        void (await session.request('POST', `/v1/secret/data/${pathPrefix}/${provider}`, { data: { api_key: 42 } })),
    };
  });
} else {
  describe('VaultKv2CredentialStore (real Vault)', () => {
    it.skip('needs VAULT_ADDR and VAULT_TOKEN: docker compose -f docker/compose.yaml up vault', () => undefined);
  });
  process.stdout.write(
    'Real-Vault contract job skipped: set VAULT_ADDR and VAULT_TOKEN (docker compose -f docker/compose.yaml up vault)\n',
  );
}

describe('VaultKv2CredentialStore with AppRole', () => {
  it('logs in, and logs in again once its token has expired', async () => {
    server.addAppRole('role-1', 'secret-id-1', 60);
    const { store } = storeFor({ address: server.url, auth: { method: 'approle', roleId: 'role-1', secretId: 'secret-id-1' } });
    await store.put('p', { api_key: 'k1' });
    server.expireTokens();
    expect((await store.get('p'))?.values.api_key).toBe('k1');
  });

  it('answers a clear unavailable error for a wrong secret id, without echoing it', async () => {
    const { store } = storeFor({ address: server.url, auth: { method: 'approle', roleId: 'role-1', secretId: 'wrong-secret-id' } });
    const error = (await store.get('p').catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'credential_store_unavailable' });
    expect(error.message).toMatch(/AppRole login failed: HTTP 400/);
    expect(error.message).not.toContain('wrong-secret-id');
  });

  it('answers unavailable, not empty, while Vault refuses reads or is unreachable', async () => {
    const { store } = storeFor({ address: server.url, auth: { method: 'token', token: server.rootToken } });
    server.failReads = true;
    await expect(store.get('p')).rejects.toMatchObject({ code: 'credential_store_unavailable' });
    server.failReads = false;
    const { store: nowhere } = storeFor({ address: 'http://127.0.0.1:1', auth: { method: 'token', token: 't' } });
    await expect(nowhere.ping()).rejects.toMatchObject({ code: 'credential_store_unavailable' });
  });
});
