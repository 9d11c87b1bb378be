import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { REDIS_CLIENT, RedisConnectionState, RedisModule } from '@app/redis';
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

@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: NEAR_CACHE,
      inject: [BROKER_CONFIG, REDIS_CLIENT],
      useFactory: (config: BrokerConfig, redis: Redis | undefined) =>
        // a connection in subscriber mode can do nothing else: the near-cache gets its own
        redis && new TokenNearCache(redis.duplicate({ autoResubscribe: false }), `${config.redisKeyPrefix}token-announcements`),
    },
    {
      provide: TOKEN_STORE,
      inject: [BROKER_CONFIG, REDIS_CLIENT, NEAR_CACHE, RedisConnectionState],
      useFactory: (
        config: BrokerConfig,
        redis: Redis | undefined,
        nearCache: TokenNearCache | undefined,
        connection: RedisConnectionState,
      ): TokenStore => {
        const store =
          redis && nearCache ? new RedisTokenStore(redis, config.redisKeyPrefix, nearCache, connection) : new MemoryTokenStore();
        new Logger('TokenStore').log(`Tokens in ${store.description}`);
        return store;
      },
    },
    NearCacheCloser,
  ],
  exports: [TOKEN_STORE],
})
export class TokenStoreModule {}
