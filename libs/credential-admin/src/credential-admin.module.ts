import { Module } from '@nestjs/common';
import { CredentialsModule } from '@app/credentials';
import { ProvidersModule } from '@app/providers';
import { RefreshModule } from '@app/refresh';
import { CredentialsAdminService } from './credentials-admin.service';

/** Storing, describing and removing provider credentials, for the admin API and the CLI. */
@Module({
  imports: [ProvidersModule, CredentialsModule, RefreshModule],
  providers: [CredentialsAdminService],
  exports: [CredentialsAdminService],
})
export class CredentialAdminModule {}
