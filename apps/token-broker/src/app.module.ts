import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { DestinationStream } from 'pino';
import { AlertsModule } from '@app/alerts';
import { BROKER_CONFIG, ConfigModule, type BrokerConfig, type ConfigModuleOptions } from '@app/config';
import { ConnectModule } from '@app/connect';
import { CredentialAdminModule } from '@app/credential-admin';
import { CredentialsModule } from '@app/credentials';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { ProvidersModule } from '@app/providers';
import { RateLimitModule } from '@app/rate-limit';
import { RedisModule } from '@app/redis';
import { RefreshModule, RefreshSchedulerModule } from '@app/refresh';
import { TokenStoreModule } from '@app/token-store';
import { AdminCredentialsController } from './admin-credentials.controller';
import { AdminTokenGuard } from './admin-token.guard';
import { APP_SETTINGS, type AppSettings } from './app-settings';
import { AuditLog } from './audit-log.service';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { CallerAuthenticator } from './caller-authenticator';
import { CallerRateLimit } from './caller-rate-limit';
import { ConnectController } from './connect.controller';
import { DomainExceptionFilter } from './domain-exception.filter';
import { ForcedRefreshController } from './forced-refresh.controller';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { OAuthCallbackController } from './oauth-callback.controller';
import { ProvidersController } from './providers.controller';
import { brokerMode } from './status-page-broker';
import { StatusPageController } from './status-page.controller';
import { TokenRoute } from './token-route';

export interface AppModuleOptions extends ConfigModuleOptions {
  /** Where JSON log lines go; stdout when omitted. */
  logDestination?: DestinationStream;
}

const CONTROLLERS = [
  ForcedRefreshController,
  AdminCredentialsController,
  ProvidersController,
  HealthController,
  MetricsController,
  StatusPageController,
  ConnectController,
  OAuthCallbackController,
];

@Module({})
export class AppModule {
  /** `options.env` replaces the process environment (tests, embedding); omitted in production. */
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ env: options.env, isGlobal: true }),
        // each lib gets its own slice of the configuration, here and nowhere else
        RedisModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({ connection: config.redis, keyPrefix: config.redisKeyPrefix }),
        }),
        AlertsModule.forRootAsync({ inject: [BROKER_CONFIG], useFactory: (config: BrokerConfig) => config.alerts }),
        ProvidersModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({ instances: config.providers, upstreamTimeoutMs: config.upstreamTimeoutMs }),
        }),
        CredentialsModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({ ...config.credentials, keySharedByReplicas: config.redis !== undefined }),
        }),
        LoggingModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({ level: config.logLevel }),
          destination: options.logDestination,
        }),
        TokenStoreModule,
        RateLimitModule,
        MetricsModule,
        RefreshModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({ lockTtlMs: config.lockTtlMs, lockWaitMs: config.lockWaitMs }),
        }),
        RefreshSchedulerModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({ tickMs: config.refreshTickMs, concurrency: config.refreshConcurrency }),
        }),
        CredentialAdminModule,
        TerminusModule.forRoot({ logger: false }),
        ConnectModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({ publicUrl: config.publicUrl, redisKeyPrefix: config.redisKeyPrefix }),
        }),
      ],
      controllers: CONTROLLERS,
      providers: [
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        {
          provide: APP_SETTINGS,
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig): AppSettings => ({
            adminToken: config.adminToken,
            callers: config.callers,
            callersFileState: config.callersFileState,
            callersFile: config.callersFile,
            callerRateLimitPerMinute: config.callerRateLimitPerMinute,
            brokerMode: brokerMode(config.redis),
          }),
        },
        AuditLog,
        AuthFailureThrottle,
        AdminTokenGuard,
        CallerAuthenticator,
        CallerRateLimit,
        TokenRoute,
      ],
    };
  }
}
