import { Module } from '@nestjs/common';
import { LockingModule } from '@app/locking';
import { MetricsModule } from '@app/metrics';
import { RateLimitModule } from '@app/rate-limit';
import { TokenStoreModule } from '@app/token-store';
import { CredentialReplacer } from './credential-replacer.service';
import { PlainGrant } from './plain-grant';
import { ProviderStateService } from './provider-state.service';
import { ProviderStatusRecorder } from './provider-status-recorder.service';
import { RefreshOutbox } from './refresh-outbox.service';
import { ConfigurableModuleClass } from './refresh.module-definition';
import { RefreshWithoutRedis } from './refresh-without-redis';
import { RotatingCredentialRefresh } from './rotating-credential-refresh';
import { RunningRefreshes } from './running-refreshes';
import { TokenRefresher } from './token-refresher.service';
import { TokenService } from './token.service';
import { UpstreamGate } from './upstream-gate.service';

/**
 * Serving and refreshing tokens on demand, the state of each provider, and what storing credentials means for both.
 * Needs ProvidersModule, CredentialsModule and AlertsModule, which the application configures once, globally.
 */
@Module({
  imports: [TokenStoreModule, LockingModule, MetricsModule, RateLimitModule],
  providers: [
    ProviderStatusRecorder,
    UpstreamGate,
    RefreshOutbox,
    RotatingCredentialRefresh,
    PlainGrant,
    RefreshWithoutRedis,
    RunningRefreshes,
    TokenRefresher,
    TokenService,
    CredentialReplacer,
    ProviderStateService,
  ],
  exports: [TokenService, TokenRefresher, RunningRefreshes, CredentialReplacer, ProviderStateService],
})
export class RefreshModule extends ConfigurableModuleClass {}
