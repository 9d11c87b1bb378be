import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectBrokerConfig, type BrokerConfig } from '@app/config';
import { BrokerError, CredentialsMissingError, LockUnavailableError, UpstreamUnavailableError } from '@app/errors';
import { ProviderRegistry, type ProviderInstance } from '@app/providers';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { refreshDueAt, refreshWindowMs } from './refresh-timing';
import { TokenRefresher } from './token-refresher.service';

const TICK_NAME = 'token-refresh';
/** How soon to look again at a provider that cannot be refreshed right now (no credentials, needs a person). */
const IDLE_RECHECK_MS = 10_000;
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Pre-warms every provider at startup and pre-refreshes tokens before they expire. Every replica
 * runs it; the lock (tried without waiting) and the re-read under it keep upstream calls to one.
 */
@Injectable()
export class RefreshScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RefreshScheduler.name);
  /** When this replica next looks at each provider; absent = now. */
  private readonly nextCheckAt = new Map<string, number>();
  /**
   * Providers that could not be pre-warmed (no credentials, needs a person): until this time only
   * the cheap token-store read runs each tick, so a token another path obtained is still picked up.
   */
  private readonly idleUntil = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    @InjectBrokerConfig() private readonly config: BrokerConfig,
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly registry: ProviderRegistry,
    private readonly refresher: TokenRefresher,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(TICK_NAME, setInterval(() => this.tick(), this.config.refreshTickMs));
    this.tick();
  }

  /**
   * On SIGTERM: stop starting refreshes, and let running ones finish and persist (bounded) while
   * Redis and the credential store are still open; they close later, in onApplicationShutdown.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', TICK_NAME)) this.scheduler.deleteInterval(TICK_NAME);
    const pending = Promise.allSettled(this.running.values());
    await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
  }

  /** Looks at every provider whose check time has come; refreshes run concurrently, one per provider. */
  tick(): void {
    const now = Date.now();
    for (const instance of this.registry.list()) {
      if (this.running.has(instance.id) || (this.nextCheckAt.get(instance.id) ?? 0) > now) continue;
      const run = this.check(instance).finally(() => this.running.delete(instance.id));
      this.running.set(instance.id, run);
    }
  }

  private async check(instance: ProviderInstance): Promise<void> {
    try {
      const token = await this.tokens.get(instance.id);
      const dueAt = token ? refreshDueAt(token, instance.refreshBefore) : 0;
      if (dueAt > Date.now()) {
        this.idleUntil.delete(instance.id);
        this.nextCheckAt.set(instance.id, dueAt);
        return;
      }
      if ((this.idleUntil.get(instance.id) ?? 0) > Date.now()) {
        this.nextCheckAt.set(instance.id, Date.now() + this.config.refreshTickMs);
        return;
      }
      const window = token ? refreshWindowMs(token, instance.refreshBefore) : 0;
      const fresh = await this.refresher.refresh(instance, { validUntil: Date.now() + window + 1, lockWaitMs: 0 });
      this.nextCheckAt.set(instance.id, refreshDueAt(fresh, instance.refreshBefore));
    } catch (error) {
      this.nextCheckAt.set(instance.id, Date.now() + this.recheckDelay(instance.id, error));
    }
  }

  private recheckDelay(provider: string, error: unknown): number {
    if (error instanceof LockUnavailableError) return this.config.refreshTickMs; // another replica is on it
    if (error instanceof UpstreamUnavailableError) return Math.max(error.retryAfterSeconds * 1000, this.config.refreshTickMs);
    if (error instanceof CredentialsMissingError) this.logger.debug(`${provider}: no credentials yet, not pre-warming`);
    else if (!(error instanceof BrokerError)) this.logger.error(`Scheduled refresh of ${provider} failed unexpectedly: ${(error as Error).message}`);
    this.idleUntil.set(provider, Date.now() + IDLE_RECHECK_MS);
    return this.config.refreshTickMs;
  }
}
