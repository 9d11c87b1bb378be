import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT, REDIS_KEY_PREFIX } from '@app/redis';
import { MemoryWindowCounter } from './memory-window-counter';
import { RedisWindowCounter } from './redis-window-counter';
import { WINDOW_COUNTER, WindowCounter } from './window-counter';

/** The shared window counter: in Redis across replicas, in process memory in embedded mode. Needs the global RedisModule. */
@Module({
  providers: [
    {
      provide: WINDOW_COUNTER,
      inject: [REDIS_KEY_PREFIX, REDIS_CLIENT],
      useFactory: (keyPrefix: string, redis: Redis | undefined): WindowCounter =>
        redis ? new RedisWindowCounter(redis, keyPrefix) : new MemoryWindowCounter(),
    },
  ],
  exports: [WINDOW_COUNTER],
})
export class RateLimitModule {}
