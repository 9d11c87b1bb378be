import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { createSubscriberConnection, REDIS_CLIENT, REDIS_KEY_PREFIX, RedisConnectionState } from '@app/redis';
import { MemoryTokenStore } from './memory-token-store';
import { RedisTokenStore } from './redis-token-store';
import { TokenNearCache } from './token-near-cache';
import { TOKEN_STORE, TokenStore } from './token-store';

const NEAR_CACHE = Symbol('NEAR_CACHE');

/** Closes the near-cache's subscriber connection the module opened. */
@Injectable()
class NearCacheCloser implements OnApplicationShutdown {
  constructor(@Inject(NEAR_CACHE) private readonly nearCache: TokenNearCache | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nearCache?.close();
  }
}

/** Tokens and provider statuses: in Redis with a near-cache across replicas, in process memory in embedded mode. Needs the global RedisModule. */
@Module({
  providers: [
    {
      provide: NEAR_CACHE,
      inject: [REDIS_KEY_PREFIX, REDIS_CLIENT],
      useFactory: (keyPrefix: string, redis: Redis | undefined) =>
        redis && new TokenNearCache(createSubscriberConnection(redis), `${keyPrefix}token-announcements`, redis),
    },
    {
      provide: TOKEN_STORE,
      inject: [REDIS_KEY_PREFIX, REDIS_CLIENT, NEAR_CACHE, RedisConnectionState],
      useFactory: (
        keyPrefix: string,
        redis: Redis | undefined,
        nearCache: TokenNearCache | undefined,
        connection: RedisConnectionState,
      ): TokenStore => {
        const store = redis && nearCache ? new RedisTokenStore(redis, keyPrefix, nearCache, connection) : new MemoryTokenStore();
        new Logger('TokenStore').log(`Tokens in ${store.description}`);
        return store;
      },
    },
    NearCacheCloser,
  ],
  exports: [TOKEN_STORE],
})
export class TokenStoreModule {}
