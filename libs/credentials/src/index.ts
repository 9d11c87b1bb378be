export { CredentialsModule } from './credentials.module';
export { CREDENTIAL_STORE, InjectCredentialStore, type CredentialRecord, type CredentialStore } from './credential-store';
