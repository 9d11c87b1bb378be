import { Module } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { AlertNotifier } from './alert-notifier.service';

/** Provider state alerts to webhooks; off (and silent) without ALERT_WEBHOOK_URLS. */
@Module({
  providers: [{ provide: AlertNotifier, inject: [BROKER_CONFIG], useFactory: (config: BrokerConfig) => new AlertNotifier(config.alerts) }],
  exports: [AlertNotifier],
})
export class AlertsModule {}
