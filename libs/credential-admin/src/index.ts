export { CredentialAdminModule } from './credential-admin.module';
export { CredentialsAdminService, type CredentialSummary } from './credentials-admin.service';
