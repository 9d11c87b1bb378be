import { Module } from '@nestjs/common';
import { AlertNotifier } from './alert-notifier.service';
import { ALERTS_OPTIONS, ConfigurableModuleClass, type AlertsModuleOptions } from './alerts.module-definition';

/** Provider state alerts to webhooks; off (and silent) without webhook URLs. */
@Module({
  providers: [
    { provide: AlertNotifier, inject: [ALERTS_OPTIONS], useFactory: (options: AlertsModuleOptions) => new AlertNotifier(options) },
  ],
  exports: [AlertNotifier],
})
export class AlertsModule extends ConfigurableModuleClass {}
