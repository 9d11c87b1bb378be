import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, type ConfigModuleOptions } from '@app/config';
import { RefreshModule, RefreshSchedulerModule } from '@app/refresh';
import { AdminCredentialsController } from './admin-credentials.controller';
import { DomainExceptionFilter } from './domain-exception.filter';
import { TokensController } from './tokens.controller';

@Module({})
export class AppModule {
  /** `options.env` replaces the process environment (tests, embedding); omitted in production. */
  static forRoot(options: ConfigModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot({ ...options, isGlobal: true }), RefreshModule, RefreshSchedulerModule],
      controllers: [TokensController, AdminCredentialsController],
      providers: [{ provide: APP_FILTER, useClass: DomainExceptionFilter }],
    };
  }
}
