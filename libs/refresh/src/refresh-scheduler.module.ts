import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TokenStoreModule } from '@app/token-store';
import { RefreshScheduler } from './refresh-scheduler.service';
import { ConfigurableModuleClass } from './refresh-scheduler.module-definition';

/**
 * Pre-warming and pre-refreshing on a timer: only the long-running service imports it.
 * Needs ProvidersModule and RefreshModule, which the application configures once, globally.
 */
@Module({
  imports: [ScheduleModule.forRoot(), TokenStoreModule],
  providers: [RefreshScheduler],
  exports: [RefreshScheduler],
})
export class RefreshSchedulerModule extends ConfigurableModuleClass {}
