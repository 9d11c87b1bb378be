import { TooManyFailedAuthenticationsError } from '@app/errors';
import { AuthFailureThrottle } from './auth-failure-throttle';

async function failTimes(throttle: AuthFailureThrottle, address: string, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) await throttle.failed(address);
}

describe('AuthFailureThrottle', () => {
  afterEach(() => jest.restoreAllMocks());

  it('lets ten failures through at once, then answers 429 after a delay that doubles', async () => {
    const throttle = new AuthFailureThrottle();
    await failTimes(throttle, 'a', 10);
    for (const minimum of [250, 500]) {
      const started = Date.now();
      await expect(throttle.failed('a')).rejects.toBeInstanceOf(TooManyFailedAuthenticationsError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(minimum - 5);
    }
  });

  it('forgets an address after a quiet minute', async () => {
    const throttle = new AuthFailureThrottle();
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    await failTimes(throttle, 'a', 10);
    now.mockReturnValue(1_000_000 + 60_000);
    await failTimes(throttle, 'a', 10); // free again, or this would wait and throw
  });

  it('remembers at most 10,000 addresses, forgetting the one that failed longest ago', async () => {
    const throttle = new AuthFailureThrottle();
    await failTimes(throttle, 'first', 10);
    for (let i = 0; i < 10_000; i += 1) await throttle.failed(`other-${i}`);
    await failTimes(throttle, 'first', 10); // forgotten: its failures start again from zero
    await expect(throttle.failed('other-9999')).resolves.toBeUndefined();
  });
});
