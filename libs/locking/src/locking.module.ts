import { Logger, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT, REDIS_KEY_PREFIX } from '@app/redis';
import { DISTRIBUTED_LOCK, DistributedLock } from './distributed-lock';
import { InProcessLock } from './in-process-lock';
import { RedisLock } from './redis-lock';

/** Locks in Redis across replicas, in process memory in embedded mode. Needs the global RedisModule. */
@Module({
  providers: [
    {
      provide: DISTRIBUTED_LOCK,
      inject: [REDIS_KEY_PREFIX, REDIS_CLIENT],
      useFactory: (keyPrefix: string, redis: Redis | undefined): DistributedLock => {
        const lock = redis ? new RedisLock(redis, keyPrefix) : new InProcessLock();
        new Logger('Locking').log(`Locks in ${lock.description}`);
        return lock;
      },
    },
  ],
  exports: [DISTRIBUTED_LOCK],
})
export class LockingModule {}
