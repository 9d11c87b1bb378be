import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ConnectStateStore, PendingAuthorization } from './connect-state-store';
import { MemoryConnectStateStore } from './memory-connect-state-store';
import { RedisConnectStateStore } from './redis-connect-state-store';

const redis = new Redis(process.env.TEST_REDIS_URL!);
const PENDING: PendingAuthorization = {
  provider: 'acme',
  sealedVerifier: 'v1.sealed',
  redirectUri: 'https://broker.example.com/oauth/callback',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => redis.quit());

/** The same behaviour from both stores; the Redis one against a real redis-server. */
describe.each([
  ['RedisConnectStateStore', () => new RedisConnectStateStore(redis, `cs${randomBytes(4).toString('hex')}:`)],
  ['MemoryConnectStateStore', () => new MemoryConnectStateStore()],
])('%s', (_name, create: () => ConnectStateStore) => {
  let store: ConnectStateStore;
  beforeEach(() => {
    store = create();
  });

  it('hands a pending authorization out once', async () => {
    await store.put('h1', PENDING, 60_000);
    expect(await store.take('h1')).toEqual(PENDING);
    expect(await store.take('h1')).toBeUndefined();
  });

  it('knows nothing of a state it did not keep, and forgets one past its time', async () => {
    expect(await store.take('never')).toBeUndefined();
    await store.put('h2', PENDING, 30);
    await sleep(60);
    expect(await store.take('h2')).toBeUndefined();
  });

  it('gives a state to exactly one of many concurrent takers (replicas racing on one callback)', async () => {
    await store.put('h3', PENDING, 60_000);
    const taken = await Promise.all(Array.from({ length: 8 }, () => store.take('h3')));
    expect(taken.filter((entry) => entry !== undefined)).toHaveLength(1);
  });
});

describe('RedisConnectStateStore keys', () => {
  it('keeps one hash-tagged key per state hash, never the state, expiring with the flow', async () => {
    const prefix = `ck${randomBytes(4).toString('hex')}:`;
    await new RedisConnectStateStore(redis, prefix).put('c3RhdGUtaGFzaA', PENDING, 600_000);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toEqual([`${prefix}{connect}:state:c3RhdGUtaGFzaA`]);
    expect(await redis.pttl(keys[0])).toBeGreaterThan(590_000);
  });
});
