import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { RefreshModule } from '@app/refresh';

/** What the CLI needs: config, provider validation and the credential store; no HTTP, no scheduler. */
@Module({ imports: [ConfigModule.forRoot({ isGlobal: true }), RefreshModule] })
export class CliModule {}
