import { UnauthorizedError } from '@app/errors';
import { TEST_SECRETS } from '../../../test/support/test-secrets';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { CallerAuthenticator } from './caller-authenticator';

/** A broker without callers tells whoever calls it how to add one, however the callers file is empty. */
describe('CallerAuthenticator without callers', () => {
  const callersFile = '/etc/token-broker/callers.yaml';
  const request = (authorization: string) => ({
    headers: { authorization },
    raw: { rawHeaders: ['Authorization', authorization] },
    ip: '127.0.0.1',
  });

  it.each(['missing', 'empty'] as const)('answers a wrong key with how to add a caller when the file is %s', async (callersFileState) => {
    const authenticator = new CallerAuthenticator({ callers: [], callersFileState, callersFile }, new AuthFailureThrottle());
    const wrongKey = request(`Bearer ${TEST_SECRETS.callerKey}`);
    expect(authenticator.identify(wrongKey)).toBeUndefined();
    const refused = authenticator.refuseUnknown(wrongKey);
    await expect(refused).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(refused).rejects.toThrow(
      `Unknown caller key; no callers are configured: add one to ${callersFile} (npm run cli -- callers new <name>)`,
    );
  });
});
