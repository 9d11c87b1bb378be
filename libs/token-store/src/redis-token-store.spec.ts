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

  it('shares provider status and returns the status each write replaced', async () => {
    expect(await store.putStatus('p', { state: 'ok', consecutiveFailures: 0 })).toBeUndefined();
    const replaced = await store.putStatus('p', { state: 'failing', consecutiveFailures: 2, retryAt: 123 });
    expect(replaced).toEqual({ state: 'ok', consecutiveFailures: 0 });
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
    await store.takeRateSlot('pa', 10);
    const keys = (await redis.keys(`${prefix}*`)).sort();
    expect(keys).toEqual(['fence', 'outbox', 'rate', 'status', 'token'].map((kind) => `${prefix}{pa}:${kind}`));
  });
});

describe('RedisTokenStore status across replicas', () => {
  it('gives each writer on its own connection exactly the status write before its own', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const connections = [0, 1, 2].map(() => new Redis(process.env.TEST_REDIS_URL!));
    try {
      const replicas = connections.map((connection) => new RedisTokenStore(connection, prefix));
      const writes = Array.from({ length: 90 }, (_, i) => i + 1);
      const replaced = await Promise.all(
        writes.map((i) => replicas[i % 3].putStatus('p', { state: i % 2 ? 'failing' : 'ok', consecutiveFailures: i })),
      );
      const seen = replaced.map((previous) => previous?.consecutiveFailures ?? 0).sort((a, b) => a - b);
      const last = (await replicas[0].getStatus('p'))!.consecutiveFailures;
      expect(seen).toEqual([0, ...writes.filter((i) => i !== last)]);
    } finally {
      await Promise.all(connections.map((connection) => connection.quit()));
    }
  });
});

let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL!);
});
afterAll(async () => {
  await redis.quit();
});
