import { Module } from '@nestjs/common';
import { BrokerConfig } from './broker-config';
import { ConfigModuleOptions, ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } from './config.module-definition';
import { loadBrokerConfig } from './load-broker-config';

/** The whole parsed configuration: composition roots map it to each module's own options; no service injects it. */
export const BROKER_CONFIG = Symbol('BROKER_CONFIG');

@Module({
  providers: [
    {
      provide: BROKER_CONFIG,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: ConfigModuleOptions): BrokerConfig => loadBrokerConfig(options.env ?? process.env),
    },
  ],
  exports: [BROKER_CONFIG],
})
export class ConfigModule extends ConfigurableModuleClass {}
