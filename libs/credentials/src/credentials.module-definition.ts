import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CredentialStoreConfig } from '@app/config';

export type CredentialsModuleOptions = CredentialStoreConfig & {
  /**
   * Other replicas open what the master key seals (the refresh-token outbox in Redis): a key
   * generated on this host would not be theirs, so one must be configured.
   */
  keySharedByReplicas: boolean;
};

/** Global by default: the refresh path, credential administration and the connect flow share one store. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: CREDENTIALS_OPTIONS } =
  new ConfigurableModuleBuilder<CredentialsModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
