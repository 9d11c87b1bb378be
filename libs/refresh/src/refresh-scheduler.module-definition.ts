import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface RefreshSchedulerModuleOptions {
  /** How often due providers are looked at; also the shortest wait before a failed one is tried again. */
  tickMs: number;
  /** Checks and refreshes running at once in this process. */
  concurrency: number;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: REFRESH_SCHEDULER_OPTIONS } =
  new ConfigurableModuleBuilder<RefreshSchedulerModuleOptions>().setClassMethodName('forRoot').build();
