import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { REDIS_CLIENT, RedisModule } from '@app/redis';
import { MemoryWindowCounter } from './memory-window-counter';
import { RedisWindowCounter } from './redis-window-counter';
import { WINDOW_COUNTER, WindowCounter } from './window-counter';

/** The shared window counter: in Redis across replicas, in process memory in embedded mode. */
@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: WINDOW_COUNTER,
      inject: [BROKER_CONFIG, REDIS_CLIENT],
      useFactory: (config: BrokerConfig, redis: Redis | undefined): WindowCounter =>
        redis ? new RedisWindowCounter(redis, config.redisKeyPrefix) : new MemoryWindowCounter(),
    },
  ],
  exports: [WINDOW_COUNTER],
})
export class RateLimitModule {}
