import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { MemoryWindowCounter } from './memory-window-counter';
import { RedisWindowCounter } from './redis-window-counter';
import { SharedRateLimiter } from './shared-rate-limiter';
import { currentWindow, WindowCounter } from './window-counter';

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

  it('adds many members in one call, each to its own count in its scope, and answers totals in order', async () => {
    const counter = create();
    const minute = currentWindow(60_000).index;
    expect(
      await counter.addAll(
        'callers',
        [
          ['a', 2],
          ['b', 0],
          ['c', 5],
        ],
        60_000,
        minute,
      ),
    ).toEqual([2, 0, 5]);
    expect(
      await counter.addAll(
        'callers',
        [
          ['c', 1],
          ['a', 0],
        ],
        60_000,
        minute,
      ),
    ).toEqual([6, 2]);
    expect(await counter.addAll('others', [['a', 1]], 60_000, minute)).toEqual([1]);
    const many = Array.from({ length: 2_500 }, (_, i) => [`m${i}`, i % 7] as const);
    expect(await counter.addAll('callers', many, 60_000, minute)).toEqual(many.map(([, amount]) => amount));
  });
});

it("RedisWindowCounter keeps a scope's counts in one hash that expires with its window", async () => {
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  await new RedisWindowCounter(redis, prefix).addAll(
    'callers',
    [
      ['a', 1],
      ['b', 2],
    ],
    60_000,
    currentWindow(60_000).index,
  );
  const [key, ...others] = await redis.keys(`${prefix}*`);
  expect(others).toEqual([]);
  expect(key).toMatch(new RegExp(`^${prefix}\\{rate:callers\\}:w\\d+$`));
  expect(await redis.hgetall(key)).toEqual({ a: '1', b: '2' });
  expect(await redis.pttl(key)).toBeGreaterThan(0);
  expect(await redis.pttl(key)).toBeLessThanOrEqual(61_000);
});

/** The counter as seen from a Redis `ms` away: every call waits that long first. */
function farAway(counter: WindowCounter, ms: number): WindowCounter {
  const later = <T>(call: () => Promise<T>): Promise<T> => new Promise((resolve) => setTimeout(resolve, ms)).then(call);
  return {
    add: (key, amount, windowMs) => later(() => counter.add(key, amount, windowMs)),
    addAll: (scope, amounts, windowMs, windowIndex) => later(() => counter.addAll(scope, amounts, windowMs, windowIndex)),
  };
}

async function oneWindowLeft(windowMs: number, needMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 10));
}

describe('SharedRateLimiter across two replicas on one Redis', () => {
  it('holds the shared limit within what one sync interval lets the other replica admit', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const limit = 200;
    await oneWindowLeft(60_000, 2_500);
    const replicas = [0, 1].map(() => new SharedRateLimiter(new RedisWindowCounter(redis, prefix), 'callers', limit, 60_000, 100));
    let admitted = 0;
    // two callers' worth of traffic, alternating replicas, a request every 2 ms for 1.5 s
    for (let i = 0; i < 750; i += 1) {
      if (replicas[i % 2].take('svc').allowed) admitted += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    replicas.forEach((replica) => replica.close());
    // stated error: what the other replica admits within two sync intervals (2 x 100 ms / 4 ms = 50) goes unseen
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + 50);
  });

  it('holds it for a thousand callers with Redis 5 ms away: a sync is one round trip, not one per caller', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const limit = 50;
    const callers = Array.from({ length: 1_000 }, (_, i) => `svc-${i}`);
    await oneWindowLeft(60_000, 3_000);
    const replicas = [0, 1].map(
      () => new SharedRateLimiter(farAway(new RedisWindowCounter(redis, prefix), 5), 'callers', limit, 60_000, 100),
    );
    const admitted = new Map(callers.map((caller) => [caller, 0]));
    // each replica takes once for every caller every 10 ms (at most): 10 per caller per sync interval
    for (let round = 0; round < 100; round += 1) {
      for (const replica of replicas) {
        for (const caller of callers) if (replica.take(caller).allowed) admitted.set(caller, admitted.get(caller)! + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    replicas.forEach((replica) => replica.close());
    // stated error: what the other replica admits in two sync intervals (20), and one round while a sync is under way.
    // A round trip per caller made a sync take 5 s: each replica admitted the whole limit on its own (100).
    const counts = [...admitted.values()];
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(limit);
    expect(Math.max(...counts)).toBeLessThanOrEqual(limit + 2 * 10 + 1);
  });

  it('adds the admissions of a sync that straddles the end of a window to the window they were made in', async () => {
    const counter = new MemoryWindowCounter();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(59_999);
    try {
      const limiter = new SharedRateLimiter(counter, 'callers', 10, 60_000, 60_000);
      limiter.close();
      limiter.take('a');
      limiter.take('a');
      clock.mockReturnValueOnce(59_999).mockReturnValue(60_000); // the window ends while the sync gathers its amounts
      await limiter.sync();
      expect(await counter.addAll('callers', [['a', 0]], 60_000, 0)).toEqual([2]);
      // counted in the new window, they would refuse the caller early there
      expect(await counter.addAll('callers', [['a', 0]], 60_000, 1)).toEqual([0]);
    } finally {
      clock.mockRestore();
    }
  });

  it('decides locally when the counter cannot be reached, and refuses with the time to the window end', async () => {
    const limiter = new SharedRateLimiter(
      { add: () => Promise.reject(new Error('Redis down')), addAll: () => Promise.reject(new Error('Redis down')) },
      'callers',
      2,
      60_000,
      10,
    );
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const refused = limiter.take('a');
    limiter.close();
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});
