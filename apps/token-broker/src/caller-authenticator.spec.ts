import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig } from '@app/config';
import { UnauthorizedError } from '@app/errors';
import { TEST_SECRETS } from '../../../test/support/test-secrets';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { CallerAuthenticator } from './caller-authenticator';

/** A broker without callers tells whoever calls it how to add one, however the callers file is empty. */
describe('CallerAuthenticator without callers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-caller-auth-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n');
  const shipped = join(dir, 'shipped-callers.yaml');
  writeFileSync(shipped, '# callers:\n#   billing-service:\n#     keySha256: 3f1c...\ncallers:\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const request = (authorization: string) => ({ headers: { authorization }, raw: { rawHeaders: ['Authorization', authorization] }, ip: '127.0.0.1' });

  it.each([
    ['missing', join(dir, 'none.yaml')],
    ['shipped empty', shipped],
  ])('answers a wrong key with how to add a caller when the file is %s', async (_case, callersFile) => {
    const config = loadBrokerConfig({ PROVIDERS_FILE: providersFile, CALLERS_FILE: callersFile });
    const authenticator = new CallerAuthenticator(config, new AuthFailureThrottle());
    const refused = authenticator.authenticate(request(`Bearer ${TEST_SECRETS.callerKey}`));
    await expect(refused).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(refused).rejects.toThrow(`Unknown caller key; no callers are configured: add one to ${callersFile} (npm run cli -- callers new <name>)`);
  });
});
