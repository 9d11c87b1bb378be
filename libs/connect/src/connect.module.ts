import { Logger, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { CredentialAdminModule } from '@app/credential-admin';
import { REDIS_CLIENT } from '@app/redis';
import { ConfigurableModuleClass, CONNECT_OPTIONS, type ConnectModuleOptions } from './connect.module-definition';
import { ConnectService } from './connect.service';
import { CONNECT_STATE_STORE, ConnectStateStore } from './connect-state-store';
import { MemoryConnectStateStore } from './memory-connect-state-store';
import { RedisConnectStateStore } from './redis-connect-state-store';

/**
 * The browser connect flow for OAuth2 providers with an authorizeUrl.
 * Needs ProvidersModule, CredentialsModule and RefreshModule, which the application configures once, globally.
 */
@Module({
  imports: [CredentialAdminModule],
  providers: [
    {
      provide: CONNECT_STATE_STORE,
      inject: [CONNECT_OPTIONS, REDIS_CLIENT],
      useFactory: (options: ConnectModuleOptions, redis: Redis | undefined): ConnectStateStore => {
        const store = redis ? new RedisConnectStateStore(redis, options.redisKeyPrefix) : new MemoryConnectStateStore();
        new Logger('Connect').debug(`Pending authorizations in ${store.description}`);
        return store;
      },
    },
    ConnectService,
  ],
  exports: [ConnectService],
})
export class ConnectModule extends ConfigurableModuleClass {}
