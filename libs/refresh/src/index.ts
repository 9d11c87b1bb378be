export { RefreshModule, RefreshSchedulerModule } from './refresh.module';
export { TokenService } from './token.service';
export { RefreshScheduler } from './refresh-scheduler.service';
export { CredentialReplacer } from './credential-replacer.service';
export { ProviderStateService, type ProviderSnapshot } from './provider-state.service';
export { PROVIDER_STATE_GUIDE, type ProviderState, type ProviderStateGuide } from './provider-state';
export { publicFields } from './refresh-claim';
