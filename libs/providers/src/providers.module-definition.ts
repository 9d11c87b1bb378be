import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ProviderInstanceConfig } from '@app/config';

export interface ProvidersModuleOptions {
  /** The entries of PROVIDERS_FILE, as parsed and validated. */
  instances: ProviderInstanceConfig[];
  /** How long any one call to a provider may take. */
  upstreamTimeoutMs: number;
}

/** Global by default: the refresh path, credential administration and the connect flow all resolve providers. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: PROVIDERS_OPTIONS } = new ConfigurableModuleBuilder<ProvidersModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
