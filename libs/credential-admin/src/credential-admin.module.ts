import { Module } from '@nestjs/common';
import { RefreshModule } from '@app/refresh';
import { CredentialsAdminService } from './credentials-admin.service';

/** Storing, describing and removing provider credentials, for the admin API and the CLI. Needs ProvidersModule and CredentialsModule, configured globally by the application. */
@Module({
  imports: [RefreshModule],
  providers: [CredentialsAdminService],
  exports: [CredentialsAdminService],
})
export class CredentialAdminModule {}
