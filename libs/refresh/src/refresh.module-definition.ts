import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface RefreshModuleOptions {
  /** How long a refresh lock and a refresh-token claim last unless renewed: a dead holder's end after this. */
  lockTtlMs: number;
  /** How long a caller waits for another replica's refresh before it is answered without one. */
  lockWaitMs: number;
}

/** Global by default: credential administration and the connect flow use the refresh path the app configured. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: REFRESH_OPTIONS } = new ConfigurableModuleBuilder<RefreshModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
