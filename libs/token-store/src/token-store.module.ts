import { Logger, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { REDIS_CLIENT, RedisModule } from '@app/redis';
import { MemoryTokenStore } from './memory-token-store';
import { RedisTokenStore } from './redis-token-store';
import { TOKEN_STORE, TokenStore } from './token-store';

@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: TOKEN_STORE,
      inject: [BROKER_CONFIG, REDIS_CLIENT],
      useFactory: (config: BrokerConfig, redis: Redis | undefined): TokenStore => {
        const store = redis ? new RedisTokenStore(redis, config.redisKeyPrefix) : new MemoryTokenStore();
        new Logger('TokenStore').log(`Tokens in ${store.description}`);
        return store;
      },
    },
  ],
  exports: [TOKEN_STORE],
})
export class TokenStoreModule {}
