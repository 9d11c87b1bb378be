export { CredentialsModule } from './credentials.module';
export type { CredentialsModuleOptions } from './credentials.module-definition';
export { CachedCredentials } from './cached-credentials.service';
export { CREDENTIAL_STORE, InjectCredentialStore, type CredentialRecord, type CredentialStore } from './credential-store';
export { SECRET_BOX, InjectSecretBox, SecretBox } from './secret-box';
