import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { CredentialAdminModule } from '@app/credential-admin';

/** What the CLI needs: config, provider validation and the credential store; no HTTP, no scheduler. */
@Module({ imports: [ConfigModule.forRoot({ isGlobal: true }), CredentialAdminModule] })
export class CliModule {}
