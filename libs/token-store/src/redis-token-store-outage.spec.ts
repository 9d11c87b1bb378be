import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { TokenStoreUnreachableError } from '@app/errors';
import { RedisConnectionState } from '@app/redis';
import { QUICK_CLOSE } from '@app/redis/testing';
import { RedisServer } from '../../../test/support/redis-server';
import { waitFor } from '../../../test/support/wait-for';
import { RedisTokenStore } from './redis-token-store';
import { TokenNearCache } from './token-near-cache';
import type { StoredToken } from './token-store';

const token = (fence: number, accessToken: string, ttlMs = 60_000): StoredToken => ({
  accessToken,
  tokenType: 'Bearer',
  obtainedAt: Date.now(),
  expiresAt: Date.now() + ttlMs,
  fence,
});

/** One replica's store on a redis-server of its own, which the tests kill and restart on the same port. */
describe('RedisTokenStore while Redis is away', () => {
  const server = new RedisServer();
  const clients: Redis[] = [];
  let store: RedisTokenStore;
  let cache: TokenNearCache;
  const prefix = `t${randomBytes(4).toString('hex')}:`;

  let up = false;
  beforeAll(() => start());
  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await server.stop();
  });

  beforeEach(async () => {
    if (!up) await start();
    // reconnects after other clients had their turn (the fencing test)
    const connection = new Redis(server.url, { ...QUICK_CLOSE, retryStrategy: () => 300 });
    const subscriber = connection.duplicate({ autoResubscribe: false });
    clients.push(connection, subscriber);
    cache = new TokenNearCache(subscriber, `${prefix}token-announcements`, connection);
    store = new RedisTokenStore(connection, prefix, cache, new RedisConnectionState(connection));
    await waitFor(() => cache.subscribed);
  });

  async function start(): Promise<void> {
    await server.start();
    up = true;
  }

  async function killRedis(): Promise<number> {
    const killedAt = Date.now();
    await server.kill();
    up = false;
    await waitFor(() => store.unreachableSince() !== undefined);
    return killedAt;
  }

  it('says since when, fails the ping at once, and keeps the last token it knew', async () => {
    await store.put('p', token(1, 'known'));
    expect(store.unreachableSince()).toBeUndefined();
    const killedAt = await killRedis();
    expect(store.unreachableSince()).toBeGreaterThanOrEqual(killedAt);
    expect(store.peek('p')).toBeUndefined(); // announcements may be missed: no longer "current"
    expect(store.lastKnown('p')?.accessToken).toBe('known');
    const started = Date.now();
    await expect(store.ping()).rejects.toBeInstanceOf(TokenStoreUnreachableError);
    await expect(store.ping()).rejects.toThrow(/^Redis is unavailable since /);
    expect(Date.now() - started).toBeLessThan(250); // not a wait for the client's reconnect, 300 ms away
  });

  it('gives up a read the moment the connection is lost, instead of waiting for Redis to return', async () => {
    await store.put('p', token(1, 'known'));
    const admin = new Redis(server.url, QUICK_CLOSE);
    clients.push(admin);
    await admin.call('CLIENT', 'PAUSE', '10000', 'ALL'); // the read below is sent and gets no answer
    const read = store.getWithoutWaiting('p').then(
      () => 'answered',
      (error: Error) => ({ error, at: Date.now() }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lostAt = Date.now();
    await killRedis();
    const outcome = await read;
    expect(outcome).toEqual({ error: expect.any(TokenStoreUnreachableError), at: expect.any(Number) });
    expect((outcome as { at: number }).at - lostAt).toBeLessThan(500);
    await expect(store.getWithoutWaiting('p')).rejects.toThrow(/^Redis is unavailable since /);
  });

  it('keeps a token obtained while away and writes it back, fenced, once Redis is back', async () => {
    await killRedis();
    expect(await store.put('p', token(5, 'while-away'))).toBe(true);
    expect(await store.put('p', token(4, 'older-while-away'))).toBe(true);
    expect(store.lastKnown('p')?.accessToken).toBe('while-away');
    await start();
    await waitFor(() => store.unreachableSince() === undefined);
    await waitFor(async () => (await store.get('p'))?.accessToken === 'while-away');
    expect(await store.put('p', token(4, 'stale'))).toBe(false); // its fence came back with it
  });

  it('does not write back over a token another replica stored with a higher fence', async () => {
    await killRedis();
    await store.put('p', token(5, 'mine'));
    await start();
    // another replica got there first, before this one reconnected
    const other = new Redis(server.url, QUICK_CLOSE);
    clients.push(other);
    await other.set(`${prefix}{p}:fence`, '9');
    await other.set(`${prefix}{p}:token`, JSON.stringify(token(9, 'theirs')));
    await waitFor(() => store.unreachableSince() === undefined && cache.subscribed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await store.get('p'))?.accessToken).toBe('theirs');
  });

  it('closes its announcement subscription while Redis is away: at once, and it does not reconnect when Redis is back', async () => {
    await killRedis();
    const startedAt = Date.now();
    await cache.close();
    expect(Date.now() - startedAt).toBeLessThan(500);
    await start();
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the subscriber retried every 300 ms
    expect(clients[clients.length - 1].status).not.toBe('ready');
  });
});
