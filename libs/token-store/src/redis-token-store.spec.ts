import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { MemoryTokenStore } from './memory-token-store';
import { RedisTokenStore } from './redis-token-store';
import { StoredToken, TokenStore } from './token-store';

const token = (fence: number, accessToken = `at-${fence}`, ttlMs = 60_000): StoredToken => ({
  accessToken,
  tokenType: 'Bearer',
  obtainedAt: Date.now(),
  expiresAt: Date.now() + ttlMs,
  fence,
});

/** The same behaviour from both stores; the Redis one against a real redis-server. */
describe.each([
  ['RedisTokenStore', () => new RedisTokenStore(redis, `t${randomBytes(4).toString('hex')}:`)],
  ['MemoryTokenStore', () => new MemoryTokenStore()],
])('%s', (_name, create: () => TokenStore) => {
  let store: TokenStore;
  beforeEach(() => {
    store = create();
  });

  it('returns what was stored and nothing for unknown providers', async () => {
    expect(await store.get('p')).toBeUndefined();
    expect(await store.put('p', token(1))).toBe(true);
    expect(await store.get('p')).toEqual(expect.objectContaining({ accessToken: 'at-1', fence: 1, tokenType: 'Bearer' }));
  });

  it('refuses a write from a holder with a lower fence than the last writer', async () => {
    expect(await store.put('p', token(5))).toBe(true);
    expect(await store.put('p', token(4, 'stale'))).toBe(false);
    expect((await store.get('p'))?.accessToken).toBe('at-5');
    expect(await store.put('p', token(6))).toBe(true);
  });

  it('keeps refusing stale holders after the token itself expired', async () => {
    expect(await store.put('p', token(7, 'short', 50))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('p')).toBeUndefined();
    expect(await store.put('p', token(6, 'stale'))).toBe(false);
  });

  it('shares provider status', async () => {
    await store.putStatus('p', { state: 'failing', consecutiveFailures: 2, retryAt: 123 });
    expect(await store.getStatus('p')).toEqual({ state: 'failing', consecutiveFailures: 2, retryAt: 123 });
  });
});

let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL!);
});
afterAll(async () => {
  await redis.quit();
});
