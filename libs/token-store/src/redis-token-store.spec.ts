import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisConnectionState } from '@app/redis';
import { MemoryTokenStore } from './memory-token-store';
import { RedisTokenStore } from './redis-token-store';
import { TokenNearCache } from './token-near-cache';
import { StoredToken, TokenStore } from './token-store';
import { rawMonitor, recordCommands } from '../../../test/support/redis-monitor';

const token = (fence: number, accessToken = `at-${fence}`, ttlMs = 60_000): StoredToken => ({
  accessToken,
  tokenType: 'Bearer',
  obtainedAt: Date.now(),
  expiresAt: Date.now() + ttlMs,
  fence,
});

/** The same behaviour from both stores; the Redis one against a real redis-server. */
describe.each([
  ['RedisTokenStore', () => redisStore(`t${randomBytes(4).toString('hex')}:`)],
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

  it('shares provider status and returns the status each write replaced', async () => {
    expect(await store.putStatus('p', { state: 'ok', consecutiveFailures: 0 })).toBeUndefined();
    const replaced = await store.putStatus('p', { state: 'failing', consecutiveFailures: 2, retryAt: 123 });
    expect(replaced).toEqual({ state: 'ok', consecutiveFailures: 0 });
    expect(await store.getStatus('p')).toEqual({ state: 'failing', consecutiveFailures: 2, retryAt: 123 });
  });

  it('reads the statuses of many providers at once, each on its own provider, in the order asked', async () => {
    await store.putStatus('p2', { state: 'failing', consecutiveFailures: 2 });
    await store.putStatus('p0', { state: 'ok', consecutiveFailures: 0 });
    expect(await store.getStatuses(['p0', 'p1', 'p2', 'p3'])).toEqual([
      { state: 'ok', consecutiveFailures: 0 },
      undefined,
      { state: 'failing', consecutiveFailures: 2 },
      undefined,
    ]);
    expect(await store.getStatuses(['p2'])).toEqual([{ state: 'failing', consecutiveFailures: 2 }]);
    expect(await store.getStatuses([])).toEqual([]);
  });
});

describe('RedisTokenStore keys', () => {
  it('puts every key of a provider under one cluster hash tag', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const store = redisStore(prefix);
    await store.put('pa', token(1));
    await store.putStatus('pa', { state: 'ok', consecutiveFailures: 0 });
    await store.putOutbox('pa', { attemptId: 'a', sealed: 's' });
    await store.takeProbe('pa', 10_000);
    const keys = (await redis.keys(`${prefix}*`)).sort();
    expect(keys).toEqual(['fence', 'outbox', 'probe', 'status', 'token'].map((kind) => `${prefix}{pa}:${kind}`));
  });
});

describe('RedisTokenStore near-cache across two replicas', () => {
  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 2_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  it('serves the copy without a round trip, and drops it within one announcement when another replica writes', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const [a, b] = [redisStore(prefix), redisStore(prefix)];
    await until(() => nearCaches.slice(-2).every((cache) => cache.subscribed));
    const bCache = nearCaches.at(-1)!;
    const before = bCache.epoch('p');
    await a.put('p', token(1, 'first'));
    expect(a.peek('p')?.accessToken).toBe('first'); // the writer keeps its own token
    expect(b.peek('p')).toBeUndefined();
    await until(() => bCache.epoch('p') !== before); // a read racing the announcement would not be remembered
    await b.get('p');
    expect(b.peek('p')?.accessToken).toBe('first');

    await a.put('p', token(2, 'second'));
    await until(() => b.peek('p') === undefined);
    expect((await b.get('p'))?.accessToken).toBe('second');
    expect(b.peek('p')?.accessToken).toBe('second');
    await a.delete('p');
    await until(() => b.peek('p') === undefined);
  });

  it('does not remember a read that raced an announcement', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const [a, b] = [redisStore(prefix), redisStore(prefix)];
    await until(() => nearCaches.at(-1)!.subscribed);
    await a.put('p', token(1, 'old'));
    const cache = nearCaches.at(-1)!;
    const epoch = cache.epoch('p');
    await a.put('p', token(2, 'new')); // announced while b's read of 'old' is "in flight"
    await until(() => cache.epoch('p') !== epoch);
    cache.remember('p', token(1, 'old'), epoch);
    expect(b.peek('p')).toBeUndefined();
  });

  it('reads through while its subscription is down, and serves copies again once resubscribed', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const store = redisStore(prefix);
    const subscriber = subscribers.at(-1)!;
    await until(() => nearCaches.at(-1)!.subscribed);
    await store.put('p', token(1, 'mine'));
    expect(store.peek('p')).toBeDefined();
    subscriber.disconnect(true); // a dropped connection, reconnecting by itself
    await until(() => store.peek('p') === undefined);
    await until(() => nearCaches.at(-1)!.subscribed);
    await store.get('p');
    expect(store.peek('p')?.accessToken).toBe('mine');
  });
});

describe('RedisTokenStore reads', () => {
  it('reads the statuses of many providers in one command', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const store = redisStore(prefix);
    const providers = Array.from({ length: 100 }, (_, index) => `p${index}`);
    await store.putStatus('p42', { state: 'reauthorization_required', consecutiveFailures: 1 });
    const commands = await recordCommands(process.env.TEST_REDIS_URL!, prefix);
    try {
      await commands.take();
      const statuses = await store.getStatuses(providers);
      expect(await commands.take()).toEqual(['mget']);
      expect(statuses.flatMap((status, index) => (status ? [[providers[index], status.state]] : []))).toEqual([
        ['p42', 'reauthorization_required'],
      ]);
    } finally {
      await commands.stop();
    }
  });
});

describe('RedisTokenStore writes', () => {
  it('send the fenced-write script by its SHA, not its body, once Redis has it', async () => {
    const store = redisStore(`t${randomBytes(4).toString('hex')}:`);
    await store.put('p', token(1));
    const commands: string[] = [];
    const monitor = await rawMonitor(process.env.TEST_REDIS_URL!, (line) => {
      const name = /\] "(\w+)"/.exec(line)?.[1].toLowerCase();
      if (name?.startsWith('eval') && line.includes('\\"accessToken\\":\\"at-2\\"')) commands.push(name);
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50)); // MONITOR sees only what comes after it
      expect(await store.put('p', token(2))).toBe(true);
      for (let waited = 0; commands.length === 0 && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(commands).toEqual(['evalsha']);
    } finally {
      monitor.destroy();
    }
  });
});

describe('RedisTokenStore status across replicas', () => {
  it('gives each writer on its own connection exactly the status write before its own', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const connections = [0, 1, 2].map(() => new Redis(process.env.TEST_REDIS_URL!));
    try {
      const replicas = connections.map((connection) => redisStore(prefix, connection));
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
const subscribers: Redis[] = [];
const nearCaches: TokenNearCache[] = [];

/** A store as one replica has it: its own subscriber connection for announcements. */
function redisStore(prefix: string, connection = redis): RedisTokenStore {
  const subscriber = new Redis(process.env.TEST_REDIS_URL!, { autoResubscribe: false });
  const cache = new TokenNearCache(subscriber, `${prefix}token-announcements`, connection);
  subscribers.push(subscriber);
  nearCaches.push(cache);
  return new RedisTokenStore(connection, prefix, cache, new RedisConnectionState(connection));
}

beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL!);
  redis.setMaxListeners(100); // every replica's store of these tests listens on this one connection
});
afterAll(async () => {
  await Promise.all(nearCaches.map((cache) => cache.close()));
  await redis.quit();
});
