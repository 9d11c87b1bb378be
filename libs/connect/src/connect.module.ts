import { Logger, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { CredentialAdminModule } from '@app/credential-admin';
import { REDIS_CLIENT, RedisModule } from '@app/redis';
import { ConnectService } from './connect.service';
import { CONNECT_STATE_STORE, ConnectStateStore } from './connect-state-store';
import { MemoryConnectStateStore } from './memory-connect-state-store';
import { RedisConnectStateStore } from './redis-connect-state-store';

/**
 * The browser connect flow for OAuth2 providers with an authorizeUrl.
 * Needs ProvidersModule, CredentialsModule and RefreshModule, which the application configures once, globally.
 */
@Module({
  imports: [RedisModule, CredentialAdminModule],
  providers: [
    {
      provide: CONNECT_STATE_STORE,
      inject: [BROKER_CONFIG, REDIS_CLIENT],
      useFactory: (config: BrokerConfig, redis: Redis | undefined): ConnectStateStore => {
        const store = redis ? new RedisConnectStateStore(redis, config.redisKeyPrefix) : new MemoryConnectStateStore();
        new Logger('Connect').debug(`Pending authorizations in ${store.description}`);
        return store;
      },
    },
    ConnectService,
  ],
  exports: [ConnectService],
})
export class ConnectModule {}
