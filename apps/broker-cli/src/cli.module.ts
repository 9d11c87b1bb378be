import { Module } from '@nestjs/common';
import { AlertsModule } from '@app/alerts';
import { BROKER_CONFIG, ConfigModule, type BrokerConfig } from '@app/config';
import { CredentialAdminModule } from '@app/credential-admin';
import { CredentialsModule } from '@app/credentials';
import { ProvidersModule } from '@app/providers';
import { RedisModule } from '@app/redis';
import { RefreshModule } from '@app/refresh';

/** What the CLI needs: config, provider validation and the credential store; no HTTP, no scheduler. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    RedisModule.forRootAsync({
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => ({ connection: config.redis, keyPrefix: config.redisKeyPrefix }),
    }),
    // storing credentials can end a provider state: the same alerts as the broker's
    AlertsModule.forRootAsync({ inject: [BROKER_CONFIG], useFactory: (config: BrokerConfig) => config.alerts }),
    ProvidersModule.forRootAsync({
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => ({ instances: config.providers, upstreamTimeoutMs: config.upstreamTimeoutMs }),
    }),
    CredentialsModule.forRootAsync({
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => ({ ...config.credentials, keySharedByReplicas: config.redis !== undefined }),
    }),
    RefreshModule.forRootAsync({
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => ({ lockTtlMs: config.lockTtlMs, lockWaitMs: config.lockWaitMs }),
    }),
    CredentialAdminModule,
  ],
})
export class CliModule {}
