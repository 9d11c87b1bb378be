import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { closeRedisClient, createRedisClient, type RedisClient } from './redis-client.factory';
import { RedisConnectionState } from './redis-connection-state';
import { ConfigurableModuleClass, REDIS_OPTIONS, type RedisModuleOptions } from './redis.module-definition';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** The shared Redis client for the configured topology, or `undefined` in embedded mode (no Redis configured). */
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);
export const REDIS_KEY_PREFIX = Symbol('REDIS_KEY_PREFIX');
/** The prefix every key starts with (REDIS_KEY_PREFIX). */
export const InjectRedisKeyPrefix = (): ParameterDecorator => Inject(REDIS_KEY_PREFIX);

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: RedisClient | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await closeRedisClient(this.redis);
  }
}

@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [REDIS_OPTIONS],
      useFactory: (options: RedisModuleOptions): RedisClient | undefined => options.connection && createRedisClient(options.connection),
    },
    { provide: REDIS_KEY_PREFIX, inject: [REDIS_OPTIONS], useFactory: (options: RedisModuleOptions) => options.keyPrefix },
    {
      provide: RedisConnectionState,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | undefined) => new RedisConnectionState(redis),
    },
    RedisConnectionCloser,
  ],
  exports: [REDIS_CLIENT, REDIS_KEY_PREFIX, RedisConnectionState],
})
export class RedisModule extends ConfigurableModuleClass {}
