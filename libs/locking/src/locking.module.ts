import { Logger, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { REDIS_CLIENT, RedisModule } from '@app/redis';
import { DISTRIBUTED_LOCK, DistributedLock } from './distributed-lock';
import { InProcessLock } from './in-process-lock';
import { RedisLock } from './redis-lock';

@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: DISTRIBUTED_LOCK,
      inject: [BROKER_CONFIG, REDIS_CLIENT],
      useFactory: (config: BrokerConfig, redis: Redis | undefined): DistributedLock => {
        const lock = redis ? new RedisLock(redis, config.redisKeyPrefix) : new InProcessLock();
        new Logger('Locking').log(`Locks in ${lock.description}`);
        return lock;
      },
    },
  ],
  exports: [DISTRIBUTED_LOCK],
})
export class LockingModule {}
