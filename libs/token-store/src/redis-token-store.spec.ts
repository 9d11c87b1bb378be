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

  it('forgets the fence with the token, so a provider whose credentials were re-created starts again', async () => {
    expect(await store.put('p', token(9))).toBe(true);
    await store.delete('p');
    expect(await store.get('p')).toBeUndefined();
    expect(await store.put('p', token(1))).toBe(true);
  });

  it('deletes an outbox entry only for the attempt that wrote it', async () => {
    await store.putOutbox('p', { attemptId: 'a1', sealed: 'v1.x' });
    await store.deleteOutbox('p', 'other');
    expect(await store.getOutbox('p')).toEqual({ attemptId: 'a1', sealed: 'v1.x' });
    await store.deleteOutbox('p', 'a1');
    expect(await store.getOutbox('p')).toBeUndefined();
  });

  it('grants one half-open probe per interval', async () => {
    expect(await store.takeProbe('p', 200)).toBe(true);
    expect(await store.takeProbe('p', 200)).toBe(false);
    expect(await store.takeProbe('other', 200)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.takeProbe('p', 200)).toBe(true);
  });

  it('shares provider status', async () => {
    await store.putStatus('p', { state: 'failing', consecutiveFailures: 2, retryAt: 123 });
    expect(await store.getStatus('p')).toEqual({ state: 'failing', consecutiveFailures: 2, retryAt: 123 });
  });
});

describe('RedisTokenStore keys', () => {
  it('puts every key of a provider under one cluster hash tag', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const store = new RedisTokenStore(redis, prefix);
    await store.put('pa', token(1));
    await store.putStatus('pa', { state: 'ok', consecutiveFailures: 0 });
    await store.putOutbox('pa', { attemptId: 'a', sealed: 's' });
    await store.takeProbe('pa', 10_000);
    const keys = (await redis.keys(`${prefix}*`)).sort();
    expect(keys).toEqual(['fence', 'outbox', 'probe', 'status', 'token'].map((kind) => `${prefix}{pa}:${kind}`));
  });
});

let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL!);
});
afterAll(async () => {
  await redis.quit();
});
