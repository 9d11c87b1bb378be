import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { DestinationStream } from 'pino';
import { BROKER_CONFIG, ConfigModule, type BrokerConfig, type ConfigModuleOptions } from '@app/config';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { REDIS_CLIENT, RedisModule } from '@app/redis';
import { RefreshModule, RefreshSchedulerModule } from '@app/refresh';
import { AdminCredentialsController } from './admin-credentials.controller';
import { AuditLog } from './audit-log.service';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { DomainExceptionFilter } from './domain-exception.filter';
import { ForcedRefreshController } from './forced-refresh.controller';
import { HealthController } from './health.controller';
import { MemoryThrottlerStorage } from './memory-throttler-storage';
import { MetricsController } from './metrics.controller';
import { RedisThrottlerStorage } from './redis-throttler-storage';
import { ProvidersController } from './providers.controller';
import { StatusPageController } from './status-page.controller';
import { TokensController } from './tokens.controller';

export interface AppModuleOptions extends ConfigModuleOptions {
  /** Where JSON log lines go; stdout when omitted. */
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  /** `options.env` replaces the process environment (tests, embedding); omitted in production. */
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ env: options.env, isGlobal: true }),
        LoggingModule.forRoot({ destination: options.logDestination }),
        RefreshModule,
        RefreshSchedulerModule,
        MetricsModule,
        TerminusModule.forRoot({ logger: false }),
        ThrottlerModule.forRootAsync({
          imports: [RedisModule],
          inject: [BROKER_CONFIG, REDIS_CLIENT],
          useFactory: (config: BrokerConfig, redis: Redis | undefined) => ({
            throttlers: [{ ttl: 60_000, limit: config.callerRateLimitPerMinute }],
            // shared across replicas with Redis; in process memory in embedded mode
            storage: redis ? new RedisThrottlerStorage(redis, config.redisKeyPrefix) : new MemoryThrottlerStorage(),
          }),
        }),
      ],
      controllers: [TokensController, ForcedRefreshController, AdminCredentialsController, ProvidersController, HealthController, MetricsController, StatusPageController],
      providers: [{ provide: APP_FILTER, useClass: DomainExceptionFilter }, AuditLog, AuthFailureThrottle],
    };
  }
}
