import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { PassolutionChaos, sleep } from './support/passolution-chaos';
import { RedisServer } from './support/redis-server';
import { leaveStaleFileLock } from './support/stale-file-lock';

const RUN_MS = 68_000;

/**
 * The rotation chain's proof (issues 3 and 12): three broker processes on one Redis refresh a
 * single-use token about once a second while replicas are SIGKILLed (once all of them, after the
 * upstream took the token), the upstream answers slower than the lock TTL and about as slow as
 * the upstream timeout, Redis restarts (once while a refresh is at the upstream), the credential
 * store refuses writes, a person reseeds while an outbox is pending, and a writer dies holding the
 * store's file lock. A live holder never presents a spent token, and the broker ends holding the
 * upstream's current token; re-authorizations follow kills only.
 */
describe('Passolution across three processes under faults', () => {
  jest.setTimeout(RUN_MS + 60_000);
  const redis = new RedisServer();
  const chaos = new PassolutionChaos(
    { env: () => ({ REDIS_URL: redis.url }), connect: () => new Redis(redis.url) },
    { tokenLifetimeSeconds: 2 },
  );
  const lockPath = join(chaos.dir, 'credentials.enc.lock');

  beforeAll(async () => {
    await redis.start();
    await chaos.start({
      REFRESH_TICK_MS: '100',
      LOCK_TTL_MS: '600',
      LOCK_WAIT_MS: '3000',
      UPSTREAM_TIMEOUT_MS: '1500',
    });
  });

  afterAll(async () => {
    await chaos.stop();
    await redis.stop();
  });

  it('never presents a spent token from a live holder, never loses one, and ends holding the current one', async () => {
    const { simulator } = chaos;
    const randomLive = () => chaos.live()[Math.floor(Math.random() * chaos.live().length)];
    await chaos.run(RUN_MS, async () => {
      for (const moment of [4_000, 9_000, 14_000]) {
        await chaos.at(moment + Math.random() * 3_000);
        await chaos.restart([randomLive()]); // a random point of the refresh cycle
      }
      await chaos.at(19_000);
      simulator.delayMs = 300;
      await chaos.untilNextCallArrives();
      await chaos.restart(chaos.live()); // the holder dies after its token was spent, before the answer: the documented window
      simulator.delayMs = 0;
      await chaos.at(24_000);
      simulator.delayMs = 900; // slower than LOCK_TTL_MS: lock and claim must be renewed
      await chaos.at(30_000);
      simulator.delayMs = 1_350; // about as slow as UPSTREAM_TIMEOUT_MS
      await chaos.at(34_000);
      simulator.delayMs = 0;
      await chaos.at(36_000 + Math.random() * 2_000);
      await restartRedis(); // at a random moment: Redis forgets everything
      await chaos.at(40_000);
      simulator.delayMs = 1_200; // longer than the claim's lease: only its renewal keeps other replicas out
      await chaos.untilNextCallArrives();
      await restartRedis(); // while a refresh is at the upstream: its lock is gone, its claim is not
      simulator.delayMs = 0;
      await chaos.at(45_000);
      await refuseCredentialWrites(); // a rotated token waits in the outbox
      await chaos.at(51_000);
      rmdirSync(lockPath);
      await chaos.seed(chaos.live()[0], simulator.reauthorize()); // a person reseeds while the outbox is pending
      await chaos.at(55_000);
      await leaveStaleFileLock(join(chaos.dir, 'credentials.enc')); // a writer SIGKILLed while holding the store's lock
      await chaos.at(60_000 + Math.random() * 4_000);
      await chaos.restart([randomLive()]);
    });

    const verdict = await chaos.verdict();
    process.stdout.write(chaos.describe('Passolution multi-process run', verdict));
    const { report } = verdict;
    expect(report.refreshes).toBeGreaterThanOrEqual(50);
    expect(report.reusesAfterSuccessorUsed).toBe(0);
    expect(report.overlappingUses).toBe(0);
    // every presentation of a spent token was a recovery after a kill, and each ended in a re-authorization
    expect(report.reuses).toBeLessThanOrEqual(verdict.reauthorizations.length);
    expect(verdict.reauthorizationsWithoutAKill).toEqual([]);
    expect(verdict.held).toBe(report.currentRefreshToken);
    expect(verdict.expired).toEqual([]);
    expect(verdict.failedWhileValid).toEqual([]);
  });

  /** A directory where the store's lock file goes: no writer can take the lock (one may hold it right now). */
  async function refuseCredentialWrites(): Promise<void> {
    for (;;) {
      try {
        return mkdirSync(lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        await sleep(5);
      }
    }
  }

  async function restartRedis(): Promise<void> {
    await redis.kill(); // no persistence: Redis forgets every key, lock and outbox copy
    await sleep(300);
    await redis.start();
  }
});
