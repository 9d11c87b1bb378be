import type { HealthCheckService } from '@nestjs/terminus';
import type { CredentialStore } from '@app/credentials';
import { NotReadyError } from '@app/errors';
import type { TokenStore } from '@app/token-store';
import { HealthController } from './health.controller';

const answering = { ping: () => Promise.resolve() };
const failing = (message: string) => ({ ping: () => Promise.reject(new Error(message)) });
const tokenStore = (ping: { ping(): Promise<void> }) => ({ description: 'Redis', ...ping }) as unknown as TokenStore;
const credentialStore = (shared: boolean, ping: { ping(): Promise<void> }) =>
  ({ description: shared ? 'Vault KV v2' : 'encrypted file data/credentials.enc', shared, ...ping }) as unknown as CredentialStore;
const readiness = (tokens: TokenStore, credentials: CredentialStore) =>
  new HealthController({} as HealthCheckService, tokens, credentials).ready();

/** Readiness says whether this replica can serve: a shared store away degrades it, a lost own file takes it out. */
describe('HealthController.ready', () => {
  it('is ok when both stores answer', async () => {
    expect(await readiness(tokenStore(answering), credentialStore(false, answering))).toMatchObject({
      status: 'ok',
      info: { token_store: { status: 'up' }, credential_store: { status: 'up' } },
    });
  });

  it.each([
    ['Redis', tokenStore(failing('Redis is unavailable')), credentialStore(false, answering), 'token_store'],
    ['Vault', tokenStore(answering), credentialStore(true, failing('Vault is unreachable')), 'credential_store'],
  ])('stays 200 but degraded while %s, shared by every replica, is away', async (_store, tokens, credentials, key) => {
    const body = await readiness(tokens, credentials);
    expect(body.status).toBe('degraded');
    expect(body.error[key]).toMatchObject({ status: 'down', message: expect.stringMatching(/unavailable|unreachable/) });
  });

  it("is not ready when this replica's own credentials file is lost", async () => {
    await expect(
      readiness(tokenStore(answering), credentialStore(false, failing('Credentials file data/credentials.enc is missing'))),
    ).rejects.toThrow(new NotReadyError('Not ready: credential_store: Credentials file data/credentials.enc is missing'));
  });
});
