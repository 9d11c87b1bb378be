import { Module } from '@nestjs/common';
import { CredentialsModule } from '@app/credentials';
import { RefreshModule } from '@app/refresh';
import { CredentialsAdminService } from './credentials-admin.service';

/** Storing, describing and removing provider credentials, for the admin API and the CLI. Needs ProvidersModule, configured globally by the application. */
@Module({
  imports: [CredentialsModule, RefreshModule],
  providers: [CredentialsAdminService],
  exports: [CredentialsAdminService],
})
export class CredentialAdminModule {}
