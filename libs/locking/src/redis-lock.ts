import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Lock, Redlock, ResourceLockedError, ExecutionError } from '@sesamecare-oss/redlock';
import { LockUnavailableError } from '@app/errors';
import { getMany } from '@app/redis';
import { DistributedLock, HeldLock, LockHold, LockOptions } from './distributed-lock';

const RETRY_DELAY_MS = 50;

/**
 * Redlock over the shared Redis, on key `<prefix><resource>:lock`. The lock is extended at a third
 * of its TTL while the holder works; if an extension fails the holder's signal aborts.
 */
export class RedisLock implements DistributedLock {
  readonly description = 'Redis (redlock)';
  private readonly logger = new Logger(RedisLock.name);
  private readonly redlock: Redlock;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.redlock = new Redlock([redis], { retryCount: 0, retryDelay: RETRY_DELAY_MS, retryJitter: RETRY_DELAY_MS / 2 });
    // a failed extension is handled through the holder's signal; keep the emitter from throwing
    this.redlock.on('error', () => undefined);
  }

  async withLock<T>(resource: string, ttlMs: number, fn: (lock: HeldLock) => Promise<T>, options: LockOptions): Promise<T> {
    const key = this.key(resource);
    let lock = await this.acquire(key, ttlMs, options.waitMs, resource);
    const hold = new LockHold();
    const extender = setInterval(
      () => {
        lock.extend(ttlMs).then(
          (extended) => (lock = extended),
          (error: Error) => {
            clearInterval(extender);
            this.logger.warn(`Lost lock ${resource}: ${error.message}`);
            hold.lose(new LockUnavailableError(resource));
          },
        );
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    try {
      return await fn(hold);
    } finally {
      clearInterval(extender);
      await lock.release().catch(() => undefined); // it expires by itself if Redis is unreachable
    }
  }

  async heldAmong(resources: readonly string[]): Promise<Set<string>> {
    const keys = resources.map((resource) => this.key(resource));
    const holders = await getMany(this.redis, keys);
    return new Set(resources.filter((_, index) => holders[index] !== null));
  }

  private key(resource: string): string {
    return `${this.prefix}${resource}:lock`;
  }

  private async acquire(key: string, ttlMs: number, waitMs: number, resource: string): Promise<Lock> {
    const retryCount = Math.ceil(waitMs / RETRY_DELAY_MS);
    try {
      return await this.redlock.acquire([key], ttlMs, { retryCount });
    } catch (error) {
      if (error instanceof ResourceLockedError || error instanceof ExecutionError) throw new LockUnavailableError(resource);
      throw error;
    }
  }
}
