import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisConfig } from '@app/config';

export interface RedisModuleOptions {
  /** Which Redis, and how to reach it; undefined in embedded mode (no Redis configured). */
  connection?: RedisConfig;
  /** Starts every key the broker writes, so several brokers can share one Redis. */
  keyPrefix: string;
}

/** Global by default: one connection per process, shared by every lib that keeps state in Redis. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: REDIS_OPTIONS } = new ConfigurableModuleBuilder<RedisModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
