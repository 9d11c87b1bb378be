import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { ConfigError } from '@app/errors';
import { CachedCredentials } from './cached-credentials.service';
import { CREDENTIAL_STORE, CredentialStore } from './credential-store';
import { ConfigurableModuleClass, CREDENTIALS_OPTIONS, type CredentialsModuleOptions } from './credentials.module-definition';
import { requirePrivateCredentialFiles } from './file-permissions';
import { loadMasterKey } from './master-key';
import { openCredentialsFile } from './open-credentials-file';
import { SECRET_BOX, SecretBox } from './secret-box';
import { VaultKv2CredentialStore } from './vault/vault-kv2-credential-store';
import { VaultSession } from './vault/vault-session';

const VAULT_SESSION = Symbol('VAULT_SESSION');
const FILE_STORE = Symbol('FILE_STORE');

/** Stops the AppRole renewal timer the module started. */
@Injectable()
class VaultSessionCloser implements OnApplicationShutdown {
  constructor(@Inject(VAULT_SESSION) private readonly session: VaultSession | undefined) {}

  onApplicationShutdown(): void {
    this.session?.close();
  }
}

type OpenedFileStore = Awaited<ReturnType<typeof openCredentialsFile>>;

@Module({
  providers: [
    {
      // first, for either backend: no key is read from a file others could read or replace
      provide: FILE_STORE,
      inject: [CREDENTIALS_OPTIONS],
      useFactory: (settings: CredentialsModuleOptions): Promise<OpenedFileStore> | undefined => {
        const logger = new Logger('CredentialStore');
        requirePrivateCredentialFiles(settings, logger, process.getuid?.());
        return settings.backend === 'file' ? openCredentialsFile(settings, logger) : undefined;
      },
    },
    {
      provide: SECRET_BOX,
      inject: [CREDENTIALS_OPTIONS, FILE_STORE],
      useFactory: (settings: CredentialsModuleOptions, file: OpenedFileStore | undefined): SecretBox => {
        if (file) return file.box;
        // replicas on several hosts must share the key that seals the outbox in Redis: a key generated per host would not be
        if (settings.keySharedByReplicas && !settings.masterKey && !existsSync(settings.masterKeyFile)) {
          throw new ConfigError(
            'BROKER_MASTER_KEY is required with VAULT_ADDR and Redis: every replica needs the same key to read the refresh-token outbox (make one with: openssl rand -base64 32)',
          );
        }
        return new SecretBox(loadMasterKey(settings, new Logger('CredentialStore')));
      },
    },
    {
      provide: VAULT_SESSION,
      inject: [CREDENTIALS_OPTIONS],
      useFactory: (settings: CredentialsModuleOptions) => (settings.backend === 'vault' ? new VaultSession(settings) : undefined),
    },
    {
      provide: CREDENTIAL_STORE,
      inject: [CREDENTIALS_OPTIONS, VAULT_SESSION, FILE_STORE],
      useFactory: async (
        settings: CredentialsModuleOptions,
        session: VaultSession | undefined,
        file: OpenedFileStore | undefined,
      ): Promise<CredentialStore> => {
        const logger = new Logger('CredentialStore');
        if (settings.backend === 'file') {
          logger.log(`Credentials in ${file!.store.description}`);
          return file!.store;
        }
        const store = new VaultKv2CredentialStore(settings, session!);
        // Vault down at startup is not fatal: cached tokens keep being served, readiness says why
        await store.ping().then(
          () => logger.log(`Credentials in ${store.description}`),
          (error: Error) => logger.warn(`Credentials in ${store.description}, not reachable yet: ${error.message}`),
        );
        return store;
      },
    },
    VaultSessionCloser,
    CachedCredentials,
  ],
  exports: [CREDENTIAL_STORE, SECRET_BOX, CachedCredentials],
})
export class CredentialsModule extends ConfigurableModuleClass {}
