export { RateLimitModule } from './rate-limit.module';
export { WINDOW_COUNTER, InjectWindowCounter, type WindowCounter, type WindowCount, type MemberAmount } from './window-counter';
export { SharedRateLimiter, type RateDecision } from './shared-rate-limiter';
