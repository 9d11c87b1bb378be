import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CallerRateLimitedError } from '@app/errors';
import { InjectWindowCounter, SharedRateLimiter, type WindowCounter } from '@app/rate-limit';
import { InjectAppSettings, type AppSettings } from './app-settings';

/** How often each replica reconciles its callers' counts with the shared counter. */
const SYNC_MS = 100;

/**
 * CALLER_RATE_LIMIT token requests per caller per minute, shared by every replica: decided in
 * memory on the hot path, reconciled with Redis every 100 ms, so across replicas the limit holds
 * within what the others admit in two sync intervals (README "Callers").
 */
@Injectable()
export class CallerRateLimit implements OnApplicationShutdown {
  private readonly limiter: SharedRateLimiter;

  constructor(@InjectAppSettings() settings: Pick<AppSettings, 'callerRateLimitPerMinute'>, @InjectWindowCounter() counter: WindowCounter) {
    this.limiter = new SharedRateLimiter(counter, 'callers', settings.callerRateLimitPerMinute, 60_000, SYNC_MS);
  }

  /** Throws CallerRateLimitedError when the caller is over its limit this minute. */
  take(caller: string): void {
    const decision = this.limiter.take(caller);
    if (!decision.allowed) throw new CallerRateLimitedError(decision.retryAfterSeconds);
  }

  onApplicationShutdown(): void {
    this.limiter.close();
  }
}
