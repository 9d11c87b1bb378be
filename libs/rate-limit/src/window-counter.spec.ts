import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { MemoryWindowCounter } from './memory-window-counter';
import { RedisWindowCounter } from './redis-window-counter';
import { SharedRateLimiter } from './shared-rate-limiter';
import { WindowCounter } from './window-counter';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL!);
});
afterAll(() => redis.quit());

describe.each([
  ['RedisWindowCounter', () => new RedisWindowCounter(redis, `t${randomBytes(4).toString('hex')}:`)],
  ['MemoryWindowCounter', () => new MemoryWindowCounter()],
])('%s', (_name, create: () => WindowCounter) => {
  it('adds within a window, reads with 0, and starts again in the next window', async () => {
    const counter = create();
    expect((await counter.add('{k}', 3, 60_000)).total).toBe(3);
    expect((await counter.add('{k}', 0, 60_000)).total).toBe(3);
    expect((await counter.add('{other}', 1, 60_000)).total).toBe(1);
    const window = 200;
    await new Promise((resolve) => setTimeout(resolve, window - (Date.now() % window) + 5)); // start of a window
    expect((await counter.add('{short}', 2, window)).total).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, window));
    const next = await counter.add('{short}', 1, window);
    expect(next.total).toBe(1);
    expect(next.resetInMs).toBeLessThanOrEqual(window);
  });
});

describe('SharedRateLimiter across two replicas on one Redis', () => {
  it('holds the shared limit within what one sync interval lets the other replica admit', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const limit = 200;
    const leftInMinute = 60_000 - (Date.now() % 60_000);
    if (leftInMinute < 2_500) await new Promise((resolve) => setTimeout(resolve, leftInMinute + 10)); // one window for the whole run
    const replicas = [0, 1].map(() => new SharedRateLimiter(new RedisWindowCounter(redis, prefix), limit, 60_000, 100));
    let admitted = 0;
    // two callers' worth of traffic, alternating replicas, a request every 2 ms for 1.5 s
    for (let i = 0; i < 750; i += 1) {
      if (replicas[i % 2].take('{caller:svc}').allowed) admitted += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    replicas.forEach((replica) => replica.close());
    // stated error: what the other replica admits within two sync intervals (2 x 100 ms / 4 ms = 50) goes unseen
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + 50);
  });

  it('decides locally when the counter cannot be reached, and refuses with the time to the window end', async () => {
    const limiter = new SharedRateLimiter({ add: () => Promise.reject(new Error('Redis down')) }, 2, 60_000, 10);
    expect(limiter.take('{caller:a}').allowed).toBe(true);
    expect(limiter.take('{caller:a}').allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const refused = limiter.take('{caller:a}');
    limiter.close();
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});
