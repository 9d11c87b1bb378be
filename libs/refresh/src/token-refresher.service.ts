import { Inject, Injectable, Logger } from '@nestjs/common';
import { LockUnavailableError } from '@app/errors';
import { InjectDistributedLock, type DistributedLock, type HeldLock } from '@app/locking';
import { BrokerMetrics } from '@app/metrics';
import type { ProviderInstance } from '@app/providers';
import { InjectTokenStore, type StoredToken, type TokenStore } from '@app/token-store';
import { ClaimHeldError } from './claim-held.error';
import { refreshLockResource } from './provider-state';
import { PlainGrant } from './plain-grant';
import { ProviderStatusRecorder } from './provider-status-recorder.service';
import { RefreshWithoutRedis } from './refresh-without-redis';
import { RotatingCredentialRefresh } from './rotating-credential-refresh';
import { RunningRefreshes } from './running-refreshes';
import { toStoredToken } from './to-stored-token';
import { UpstreamGate } from './upstream-gate.service';
import { REFRESH_OPTIONS, type RefreshModuleOptions } from './refresh.module-definition';

export interface RefreshOptions {
  /** A token already stored that is valid until at least this epoch ms is good enough: no upstream call. */
  validUntil: number;
  /** 0 for the scheduler (skip when another replica is on it); the configured wait for callers. */
  lockWaitMs: number;
  /** A caller's request may be the half-open probe of a provider that backs off. */
  mayProbe?: boolean;
}

/** How often a caller that met another replica's live claim looks again. */
const CLAIM_POLL_MS = 50;
/** How long one try for the lock waits before the caller looks for the token another replica may have stored. */
const LOCK_POLL_MS = 250;

/**
 * Gets a new token under the provider's distributed lock: re-reads the shared token first (another
 * replica may have just refreshed), waits out another replica's live claim, passes the upstream
 * gate, gets the token (the rotating protocol, or a plain grant), stores it fenced, and records the
 * outcome. A caller waiting for the lock looks in the token store between tries, so it gets another
 * replica's result as soon as it is stored rather than when the lock comes free.
 * Every refresh is tracked in RunningRefreshes, so shutdown lets it finish.
 */
@Injectable()
export class TokenRefresher {
  private readonly logger = new Logger(TokenRefresher.name);

  constructor(
    @Inject(REFRESH_OPTIONS) private readonly options: Pick<RefreshModuleOptions, 'lockTtlMs'>,
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectDistributedLock() private readonly lock: DistributedLock,
    private readonly gate: UpstreamGate,
    private readonly rotating: RotatingCredentialRefresh,
    private readonly plainGrant: PlainGrant,
    private readonly status: ProviderStatusRecorder,
    private readonly metrics: BrokerMetrics,
    private readonly withoutRedis: RefreshWithoutRedis,
    private readonly running: RunningRefreshes,
  ) {}

  refresh(instance: ProviderInstance, options: RefreshOptions): Promise<StoredToken> {
    return this.running.track(instance.id, this.run(instance, options));
  }

  private async run(instance: ProviderInstance, options: RefreshOptions): Promise<StoredToken> {
    // the lock, status and rate window are in Redis: asking for them now would wait a failover's length
    const redisAwaySince = this.tokens.unreachableSince();
    if (redisAwaySince !== undefined && !instance.rotatesCredentials) return this.withoutRedis.refresh(instance, redisAwaySince);
    if (redisAwaySince !== undefined) await this.withoutRedis.untilRedisIsBack(instance.id, redisAwaySince, options.lockWaitMs);
    const probing = await this.gate.admit(instance.id, options.mayProbe ?? false);
    const waitTimer = this.metrics.lockWaitSeconds.startTimer();
    // from when Redis is back: a wait for it must not leave a caller less time for another replica's refresh than before
    const waitUntil = Date.now() + options.lockWaitMs;
    try {
      for (;;) {
        try {
          const waitMs = Math.min(LOCK_POLL_MS, Math.max(0, waitUntil - Date.now()));
          return await this.lock.withLock(
            refreshLockResource(instance.id),
            this.options.lockTtlMs,
            (held) => {
              waitTimer();
              return this.underLock(instance, options, { held, probing, waitUntil });
            },
            { waitMs },
          );
        } catch (error) {
          if (!(error instanceof LockUnavailableError) || error instanceof ClaimHeldError || Date.now() >= waitUntil) throw error;
          // another replica is refreshing: what it gets lands in the token store, so look there between tries
          const current = await this.tokens.get(instance.id);
          if (current && current.expiresAt >= options.validUntil) return current;
        }
      }
    } catch (error) {
      if (error instanceof LockUnavailableError) this.metrics.lockFailures.inc({ provider: instance.id });
      throw error;
    }
  }

  /** Re-reads the shared token, waits out another replica's live claim, passes the gate again, and obtains. */
  private async underLock(
    instance: ProviderInstance,
    options: RefreshOptions,
    turn: { held: HeldLock; probing: boolean; waitUntil: number },
  ): Promise<StoredToken> {
    for (;;) {
      const current = await this.tokens.get(instance.id);
      if (current && current.expiresAt >= options.validUntil) return current;
      await this.gate.recheck(instance.id, turn.probing);
      try {
        return await this.obtain(instance, current, turn.held);
      } catch (error) {
        if (!(error instanceof ClaimHeldError) || Date.now() + CLAIM_POLL_MS > turn.waitUntil) throw error;
        await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
      }
    }
  }

  private async obtain(instance: ProviderInstance, current: StoredToken | undefined, held: HeldLock): Promise<StoredToken> {
    const started = Date.now();
    const timer = this.metrics.refreshSeconds.startTimer();
    try {
      const { issued, fence, durable } = instance.rotatesCredentials
        ? await this.rotating.refresh(instance, { lockSignal: held.signal, beforeUpstreamCall: () => this.gate.takeSlot(instance) })
        : { issued: await this.plainGrant.request(instance, current, () => this.gate.takeSlot(instance)), fence: started, durable: true };
      const token = toStoredToken(issued, started, fence);
      const stored = await this.store(instance.id, token);
      await this.status.refreshed(instance.id, { durable, started, expiresAt: token.expiresAt });
      return stored;
    } catch (error) {
      throw await this.status.failed(instance.id, error, started);
    } finally {
      timer();
    }
  }

  /**
   * Fenced write; a newer holder's token wins. The token is good whether or not Redis takes it
   * (its refresh token, if any, is already committed), so a store outage here is logged, not thrown.
   */
  private async store(provider: string, token: StoredToken): Promise<StoredToken> {
    try {
      if (await this.tokens.put(provider, token)) return token;
      this.logger.warn({ msg: 'Refresh fenced off: a newer token was already stored', event: 'refresh', provider, outcome: 'fenced' });
      return (await this.tokens.get(provider)) ?? token;
    } catch (error) {
      this.logger.warn(`${provider}: new token not written to the token store (${(error as Error).message}); serving it from this process`);
      return token;
    }
  }
}
