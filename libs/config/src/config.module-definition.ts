import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface ConfigModuleOptions {
  /** Variables to read; the process environment when omitted. */
  env?: Record<string, string | undefined>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<ConfigModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
