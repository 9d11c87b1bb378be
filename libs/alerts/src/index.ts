export { AlertsModule } from './alerts.module';
export { AlertNotifier } from './alert-notifier.service';
export type { AlertState, ProviderStateEvent } from './provider-state-event';
