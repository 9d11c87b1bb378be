export { AlertsModule } from './alerts.module';
export type { AlertsModuleOptions } from './alerts.module-definition';
export { AlertNotifier } from './alert-notifier.service';
export type { AlertState, ProviderStateEvent } from './provider-state-event';
