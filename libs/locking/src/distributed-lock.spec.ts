import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { LockUnavailableError } from '@app/errors';
import { DistributedLock } from './distributed-lock';
import { InProcessLock } from './in-process-lock';
import { RedisLock } from './redis-lock';
import { recordCommands } from '../../../test/support/redis-monitor';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['RedisLock', () => new RedisLock(redis, `t${randomBytes(4).toString('hex')}:`)],
  ['InProcessLock', () => new InProcessLock()],
])('%s', (_name, create: () => DistributedLock) => {
  let lock: DistributedLock;
  beforeEach(() => {
    lock = create();
  });

  it('lets one holder in at a time', async () => {
    let inside = 0;
    let maxInside = 0;
    let entered = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        lock.withLock(
          'r',
          2_000,
          async () => {
            inside += 1;
            entered += 1;
            maxInside = Math.max(maxInside, inside);
            await sleep(20);
            inside -= 1;
          },
          { waitMs: 5_000 },
        ),
      ),
    );
    expect(maxInside).toBe(1);
    expect(entered).toBe(5);
  });

  it('fails fast with LockUnavailableError when told not to wait', async () => {
    let release!: () => void;
    const holding = lock.withLock('r', 2_000, () => new Promise<void>((resolve) => (release = resolve)), { waitMs: 0 });
    await sleep(20);
    await expect(lock.withLock('r', 2_000, async () => 'never', { waitMs: 0 })).rejects.toBeInstanceOf(LockUnavailableError);
    release();
    await holding;
    await expect(lock.withLock('r', 2_000, async () => 'now', { waitMs: 0 })).resolves.toBe('now');
  });

  it('reports which of many locks are held, each on its own resource, only while a holder is inside', async () => {
    const resources = ['r0', 'r1', 'r2', 'r3'];
    const releases: Array<() => void> = [];
    const hold = (resource: string) =>
      lock.withLock(resource, 2_000, () => new Promise<void>((resolve) => releases.push(resolve)), { waitMs: 0 });
    expect(await lock.heldAmong(resources)).toEqual(new Set());
    const holding = [hold('r1'), hold('r3')];
    await sleep(20);
    expect(await lock.heldAmong(resources)).toEqual(new Set(['r1', 'r3']));
    expect(await lock.heldAmong(['r3', 'other'])).toEqual(new Set(['r3']));
    expect(await lock.heldAmong([])).toEqual(new Set());
    releases.forEach((release) => release());
    await Promise.all(holding);
    expect(await lock.heldAmong(resources)).toEqual(new Set());
  });

  it('releases the lock when the holder throws', async () => {
    await expect(
      lock.withLock(
        'r',
        2_000,
        async () => {
          throw new Error('boom');
        },
        { waitMs: 0 },
      ),
    ).rejects.toThrow('boom');
    await expect(lock.withLock('r', 2_000, async () => 'free', { waitMs: 0 })).resolves.toBe('free');
  });
});

describe('RedisLock states', () => {
  it('reads whether each of many locks is held in one command', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const lock = new RedisLock(redis, prefix);
    const resources = Array.from({ length: 100 }, (_, index) => `r${index}`);
    const commands = await recordCommands(process.env.TEST_REDIS_URL!, prefix);
    let release!: () => void;
    const holding = lock.withLock('r42', 2_000, () => new Promise<void>((resolve) => (release = resolve)), { waitMs: 0 });
    try {
      await sleep(20);
      await commands.take(); // the acquisition
      expect(await lock.heldAmong(resources)).toEqual(new Set(['r42']));
      expect(await commands.take()).toEqual(['mget']);
    } finally {
      release();
      await holding;
      await commands.stop();
    }
  });
});

describe('RedisLock extension', () => {
  it('keeps the lock past its TTL while the holder works', async () => {
    const lock = new RedisLock(redis, `t${randomBytes(4).toString('hex')}:`);
    let rivalResult: unknown;
    await lock.withLock(
      'r',
      300,
      async (held) => {
        await sleep(700); // over twice the TTL
        rivalResult = await lock.withLock('r', 300, async () => 'got in', { waitMs: 0 }).catch((error: Error) => error);
        expect(held.signal.aborted).toBe(false);
      },
      { waitMs: 0 },
    );
    expect(rivalResult).toBeInstanceOf(LockUnavailableError);
  });

  it("aborts the holder's signal, with the reason, when the lock cannot be extended", async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const lock = new RedisLock(redis, prefix);
    const reason = await lock.withLock(
      'r',
      300,
      async (held) => {
        await redis.set(`${prefix}r:lock`, 'someone else'); // the lock expired and another holder took it
        await new Promise((resolve) => held.signal.addEventListener('abort', resolve));
        return held.signal.reason as unknown;
      },
      { waitMs: 0 },
    );
    expect(reason).toBeInstanceOf(LockUnavailableError);
  });
});

let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL!);
});
afterAll(async () => {
  await redis.quit();
});
