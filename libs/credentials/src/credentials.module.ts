import { Logger, Module } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { CREDENTIAL_STORE, CredentialStore } from './credential-store';
import { EncryptedFileCredentialStore } from './encrypted-file-credential-store';
import { loadMasterKey } from './master-key';

@Module({
  providers: [
    {
      provide: CREDENTIAL_STORE,
      inject: [BROKER_CONFIG],
      useFactory: async (config: BrokerConfig): Promise<CredentialStore> => {
        const logger = new Logger('CredentialStore');
        const store = new EncryptedFileCredentialStore(config.credentials.file, loadMasterKey(config.credentials, logger));
        // refuse to start on a file the key cannot open, rather than failing on first use
        await store.ping();
        logger.log(`Credentials in ${store.description}`);
        return store;
      },
    },
  ],
  exports: [CREDENTIAL_STORE],
})
export class CredentialsModule {}
