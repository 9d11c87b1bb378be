import { Module } from '@nestjs/common';
import { CredentialsAdminService } from './credentials-admin.service';

/**
 * Storing, describing and removing provider credentials, for the admin API and the CLI.
 * Needs ProvidersModule, CredentialsModule and RefreshModule, which the application configures once, globally.
 */
@Module({
  providers: [CredentialsAdminService],
  exports: [CredentialsAdminService],
})
export class CredentialAdminModule {}
