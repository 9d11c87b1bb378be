import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { createRedisClient, type RedisClient } from './redis-client.factory';
import { RedisConnectionState } from './redis-connection-state';
import { ConfigurableModuleClass, REDIS_OPTIONS, type RedisModuleOptions } from './redis.module-definition';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** The shared Redis client for the configured topology, or `undefined` in embedded mode (no Redis configured). */
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);
export const REDIS_KEY_PREFIX = Symbol('REDIS_KEY_PREFIX');
/** The prefix every key starts with (REDIS_KEY_PREFIX). */
export const InjectRedisKeyPrefix = (): ParameterDecorator => Inject(REDIS_KEY_PREFIX);

/** A QUIT that outlasts this (Redis hung or unreachable) gives way to dropping the connection. */
const QUIT_TIMEOUT_MS = 1_000;

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: RedisClient | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'end') return;
    // QUIT lets replies in flight arrive; without a connection there is nothing to wait for
    if (redis.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)));
      await Promise.race([redis.quit().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    // also after a QUIT: only disconnect() closes the Sentinel client's subscriptions to the sentinels
    redis.disconnect();
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
