import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface ConnectModuleOptions {
  /** Origin browsers reach the broker at (no trailing slash): the authorization server sends them back there. Unset: the flow is off. */
  publicUrl?: string;
  /** Prefix of the pending authorizations' keys in Redis. */
  redisKeyPrefix: string;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: CONNECT_OPTIONS } = new ConfigurableModuleBuilder<ConnectModuleOptions>()
  .setClassMethodName('forRoot')
  .build();
