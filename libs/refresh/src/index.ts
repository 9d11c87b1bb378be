export { RefreshModule, RefreshSchedulerModule } from './refresh.module';
export { TokenService } from './token.service';
export { RefreshScheduler } from './refresh-scheduler.service';
export { CredentialsAdminService, type CredentialSummary } from './credentials-admin.service';
export { ProviderStatusService, type ProviderStatusView } from './provider-status.service';
export { PROVIDER_STATE_GUIDE, type ProviderState, type ProviderStateGuide } from './provider-state';
