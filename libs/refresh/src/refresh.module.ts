import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertsModule } from '@app/alerts';
import { CredentialsModule } from '@app/credentials';
import { LockingModule } from '@app/locking';
import { MetricsModule } from '@app/metrics';
import { ProvidersModule } from '@app/providers';
import { RateLimitModule } from '@app/rate-limit';
import { TokenStoreModule } from '@app/token-store';
import { CredentialReplacer } from './credential-replacer.service';
import { RefreshScheduler } from './refresh-scheduler.service';
import { ProviderStateService } from './provider-state.service';
import { ProviderStatusRecorder } from './provider-status-recorder.service';
import { RefreshOutbox } from './refresh-outbox.service';
import { RefreshWithoutRedis } from './refresh-without-redis';
import { RotatingCredentialRefresh } from './rotating-credential-refresh';
import { TokenRefresher } from './token-refresher.service';
import { TokenService } from './token.service';
import { UpstreamGate } from './upstream-gate.service';

/** Serving and refreshing tokens on demand, the state of each provider, and what storing credentials means for both. */
@Module({
  imports: [ProvidersModule, CredentialsModule, TokenStoreModule, LockingModule, MetricsModule, RateLimitModule, AlertsModule],
  providers: [
    ProviderStatusRecorder,
    UpstreamGate,
    RefreshOutbox,
    RotatingCredentialRefresh,
    RefreshWithoutRedis,
    TokenRefresher,
    TokenService,
    CredentialReplacer,
    ProviderStateService,
  ],
  exports: [TokenService, TokenRefresher, CredentialReplacer, ProviderStateService],
})
export class RefreshModule {}

/** Pre-warming and pre-refreshing on a timer: only the long-running service imports it. */
@Module({
  imports: [ScheduleModule.forRoot(), RefreshModule, ProvidersModule, TokenStoreModule],
  providers: [RefreshScheduler],
  exports: [RefreshScheduler],
})
export class RefreshSchedulerModule {}
