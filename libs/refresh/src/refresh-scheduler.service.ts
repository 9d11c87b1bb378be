import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  BrokerError,
  CredentialsMissingError,
  LockUnavailableError,
  TokenStoreUnavailableError,
  UpstreamUnavailableError,
} from '@app/errors';
import { ProviderRegistry, type ProviderInstance } from '@app/providers';
import type { RefreshBefore } from '@app/config';
import { InjectTokenStore, type StoredToken, type TokenStore } from '@app/token-store';
import { DueQueue } from './due-queue';
import { refreshDueAt, refreshWindowMs } from './refresh-timing';
import { RunningRefreshes } from './running-refreshes';
import { shutdownSummary } from './shutdown-summary';
import { TokenRefresher } from './token-refresher.service';
import { REFRESH_SCHEDULER_OPTIONS, type RefreshSchedulerModuleOptions } from './refresh-scheduler.module-definition';

const TICK_NAME = 'token-refresh';
/** How soon to look again at a provider that cannot be refreshed right now (no credentials, needs a person). */
const IDLE_RECHECK_MS = 10_000;
/**
 * Start-up pre-warm is spread over this long per provider (at most 200 a second), up to the cap: a
 * 2-core host keeps its event loop under 50 ms at a few hundred refreshes a second, not at 10,000
 * providers in 15 s. A caller asking for a provider not warmed yet gets a refresh on demand.
 */
const STARTUP_SPREAD_PER_PROVIDER_MS = 5;
const MAX_STARTUP_SPREAD_MS = 60_000;

/**
 * Pre-warms every provider at startup and pre-refreshes tokens before they expire. Every replica
 * runs it; the lock (tried without waiting) and the re-read under it keep upstream calls to one.
 * Providers wait in a queue ordered by when they are due, and at most REFRESH_CONCURRENCY checks
 * run at once, so thousands of providers cost bounded memory and never stall the event loop.
 */
@Injectable()
export class RefreshScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RefreshScheduler.name);
  private readonly queue = new DueQueue();
  /**
   * Providers that could not be pre-warmed (no credentials, needs a person): until this time only
   * the cheap token-store read runs for them, so a token another path obtained is still picked up.
   */
  private readonly idleUntil = new Map<string, number>();
  private readonly runningChecks = new Map<string, Promise<void>>();
  /** Providers whose next check refreshes them before they are due, while their token expires at this time (see spreadFirstRefresh). */
  private readonly refreshEarly = new Map<string, number>();
  private stopped = false;

  constructor(
    @Inject(REFRESH_SCHEDULER_OPTIONS) private readonly options: RefreshSchedulerModuleOptions,
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly registry: ProviderRegistry,
    private readonly refresher: TokenRefresher,
    private readonly runningRefreshes: RunningRefreshes,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const providers = this.registry.list();
    const spreadMs = Math.min(providers.length * STARTUP_SPREAD_PER_PROVIDER_MS, MAX_STARTUP_SPREAD_MS);
    for (const { id } of providers) this.queue.push(id, Date.now() + Math.random() * spreadMs);
    this.scheduler.addInterval(
      TICK_NAME,
      setInterval(() => this.pump(), this.options.tickMs),
    );
    this.pump();
  }

  /**
   * On SIGTERM: stop starting checks, and let running ones and every other refresh in this process
   * finish and persist while Redis and the credential store are still open; they close later, in
   * onApplicationShutdown. RunningRefreshes bounds the whole wait.
   */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', TICK_NAME)) this.scheduler.deleteInterval(TICK_NAME);
    const checks = [...this.runningChecks.keys()];
    const startedAt = Date.now();
    const { inFlight, finished } = await this.runningRefreshes.settled(Promise.allSettled(this.runningChecks.values()));
    // given up: only what is still running, checks included
    const named = [...new Set([...(finished ? checks : this.runningChecks.keys()), ...inFlight])];
    this.logger.log(shutdownSummary({ signal, inFlight: named, waitedMs: Date.now() - startedAt, finished }));
  }

  /** Starts the checks whose time has come, as long as the pool has room; each finished check frees a place. */
  private pump(): void {
    const now = Date.now();
    while (!this.stopped && this.runningChecks.size < this.options.concurrency) {
      const id = this.queue.popDue(now);
      if (id === undefined) return;
      const run = this.check(this.registry.get(id)).then(
        (nextAt) => this.queue.push(id, nextAt),
        () => this.queue.push(id, Date.now() + this.options.tickMs),
      );
      this.runningChecks.set(id, run);
      void run.finally(() => {
        this.runningChecks.delete(id);
        this.pump();
      });
    }
  }

  /** Looks at one provider, refreshes it if due, and says when to look again. */
  private async check(instance: ProviderInstance): Promise<number> {
    const earlyFor = this.refreshEarly.get(instance.id);
    this.refreshEarly.delete(instance.id);
    try {
      const token = await this.currentToken(instance.id);
      // not if another replica has replaced the token meanwhile: its refresh already moved this one's phase
      const early = token !== undefined && token.expiresAt === earlyFor;
      const dueAt = token ? refreshDueAt(token, instance.refreshBefore) : 0;
      if (dueAt > Date.now() && !early) {
        this.idleUntil.delete(instance.id);
        return dueAt;
      }
      if ((this.idleUntil.get(instance.id) ?? 0) > Date.now()) return Date.now() + this.options.tickMs;
      // an early refresh wants a token newer than this one; a due one, any token that outlasts the window
      const validUntil = early ? token.expiresAt + 1 : Date.now() + (token ? refreshWindowMs(token, instance.refreshBefore) : 0) + 1;
      const fresh = await this.refresher.refresh(instance, { validUntil, lockWaitMs: 0 });
      return token ? refreshDueAt(fresh, instance.refreshBefore) : this.spreadFirstRefresh(instance.id, fresh, instance.refreshBefore);
    } catch (error) {
      return Date.now() + this.recheckDelay(instance.id, error);
    }
  }

  /** This replica's copy while it is known current, so most checks cost no round trip; else the store. */
  private async currentToken(provider: string): Promise<StoredToken | undefined> {
    // while Redis is away, what this replica knows: client-credentials providers are still pre-refreshed
    if (this.tokens.unreachableSince() !== undefined) return this.tokens.lastKnown(provider);
    return this.tokens.peek(provider) ?? this.tokens.get(provider);
  }

  /**
   * A fleet pre-warmed within seconds would otherwise refresh within the same seconds of every
   * window, forever: a burst at the fleet's full rate, then nothing. Its first refresh comes at a
   * random point before it is due instead, once, so refreshes spread evenly over the window.
   */
  private spreadFirstRefresh(provider: string, fresh: StoredToken, refreshBefore: RefreshBefore): number {
    const dueAt = refreshDueAt(fresh, refreshBefore);
    this.refreshEarly.set(provider, fresh.expiresAt);
    return Date.now() + Math.random() * Math.max(0, dueAt - Date.now());
  }

  private recheckDelay(provider: string, error: unknown): number {
    // another replica is on it, or Redis is away: look again at the next tick, so a refresh waiting for Redis starts once it is back
    if (error instanceof LockUnavailableError || error instanceof TokenStoreUnavailableError) return this.options.tickMs;
    if (error instanceof UpstreamUnavailableError) return Math.max(error.retryAfterSeconds * 1000, this.options.tickMs);
    if (error instanceof CredentialsMissingError) this.logger.debug(`${provider}: no credentials yet, not pre-warming`);
    else if (!(error instanceof BrokerError))
      this.logger.error(`Scheduled refresh of ${provider} failed unexpectedly: ${(error as Error).message}`);
    this.idleUntil.set(provider, Date.now() + IDLE_RECHECK_MS);
    return this.options.tickMs;
  }
}
