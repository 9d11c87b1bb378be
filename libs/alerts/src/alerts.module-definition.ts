import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface AlertsModuleOptions {
  /** Where provider state changes are POSTed; empty: alerts are off. A URL is often its own secret: never logged whole. */
  webhookUrls: string[];
}

/** Global by default: the refresh path writes statuses wherever it is imported. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: ALERTS_OPTIONS } = new ConfigurableModuleBuilder<AlertsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
