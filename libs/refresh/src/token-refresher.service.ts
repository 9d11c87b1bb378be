import { Injectable, Logger } from '@nestjs/common';
import { InjectBrokerConfig, type BrokerConfig } from '@app/config';
import { CachedCredentials } from '@app/credentials';
import {
  BrokerError,
  CredentialsMissingError,
  LockUnavailableError,
  ReauthorizationRequiredError,
  UpstreamError,
  UpstreamUnavailableError,
} from '@app/errors';
import { InjectDistributedLock, type DistributedLock, type HeldLock } from '@app/locking';
import { BrokerMetrics } from '@app/metrics';
import type { IssuedToken, ProviderInstance } from '@app/providers';
import { InjectTokenStore, type ProviderStatus, type StoredToken, type TokenStore } from '@app/token-store';
import { publicFields } from './refresh-claim';
import { backoffMs } from './refresh-timing';
import { refreshLockResource } from './provider-state';
import { RotatingCredentialRefresh } from './rotating-credential-refresh';

export interface RefreshOptions {
  /** A token already stored that is valid until at least this epoch ms is good enough: no upstream call. */
  validUntil: number;
  /** 0 for the scheduler (skip when another replica holds the lock); the configured wait for callers. */
  lockWaitMs: number;
}

/**
 * Gets a new token from the upstream under the provider's distributed lock, re-reading shared
 * state after the lock is taken so a replica never repeats a refresh another one just finished.
 * Records the outcome in the shared provider status.
 */
@Injectable()
export class TokenRefresher {
  private readonly logger = new Logger(TokenRefresher.name);

  constructor(
    @InjectBrokerConfig() private readonly config: BrokerConfig,
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly credentials: CachedCredentials,
    @InjectDistributedLock() private readonly lock: DistributedLock,
    private readonly rotating: RotatingCredentialRefresh,
    private readonly metrics: BrokerMetrics,
  ) {}

  async refresh(instance: ProviderInstance, options: RefreshOptions): Promise<StoredToken> {
    await this.assertMayCallUpstream(instance.id);
    const waitTimer = this.metrics.lockWaitSeconds.startTimer({ provider: instance.id });
    return this.lock.withLock(
      refreshLockResource(instance.id),
      this.config.lockTtlMs,
      async (held) => {
        waitTimer();
        const current = await this.tokens.get(instance.id);
        if (current && current.expiresAt >= options.validUntil) return current;
        await this.assertMayCallUpstream(instance.id);
        return this.obtain(instance, current, held);
      },
      { waitMs: options.lockWaitMs },
    ).catch((error: unknown) => {
      if (error instanceof LockUnavailableError) this.metrics.lockFailures.inc({ provider: instance.id });
      throw error;
    });
  }

  private async obtain(instance: ProviderInstance, current: StoredToken | undefined, held: HeldLock): Promise<StoredToken> {
    const started = Date.now();
    const timer = this.metrics.refreshSeconds.startTimer({ provider: instance.id });
    try {
      await this.takeRateSlot(instance);
      const { issued, durable } = instance.rotatesCredentials
        ? await this.rotating.refresh(instance, held.signal)
        : { issued: await this.requestSimpleGrant(instance, current, held.signal), durable: true };
      const token: StoredToken = { ...pickToken(issued), obtainedAt: started, fence: held.fence };
      if (!(await this.tokens.put(instance.id, token))) {
        this.logger.warn({ msg: 'Refresh fenced off: a newer holder already stored a token', ...refreshEvent(instance.id, 'fenced', started) });
        return (await this.tokens.get(instance.id)) ?? token;
      }
      const status: ProviderStatus = durable
        ? { state: 'ok', consecutiveFailures: 0, lastRefreshAt: Date.now() }
        : { state: 'degraded', consecutiveFailures: 0, lastRefreshAt: Date.now(), durableWritePending: true };
      await this.tokens.putStatus(instance.id, status);
      this.metrics.refreshes.inc({ provider: instance.id, outcome: 'ok' });
      this.logger.log({ msg: `Refreshed ${instance.id}`, ...refreshEvent(instance.id, durable ? 'ok' : 'degraded', started), expires_at: new Date(token.expiresAt).toISOString() });
      return token;
    } catch (error) {
      if (error instanceof UpstreamError) this.metrics.refreshes.inc({ provider: instance.id, outcome: error.kind });
      throw await this.recordFailure(instance.id, error, started);
    } finally {
      timer();
    }
  }

  /** Static credentials come from the short cache; a refusal is retried once if the store has newer ones. */
  private async requestSimpleGrant(instance: ProviderInstance, current: StoredToken | undefined, signal: AbortSignal): Promise<IssuedToken> {
    const record = await this.credentials.get(instance.id);
    if (!record) throw new CredentialsMissingError(instance.id);
    try {
      return await instance.client.requestToken({ credentials: publicFields(record.values), current, signal });
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.kind !== 'permanent') throw error;
      const fresh = await this.credentials.getFresh(instance.id);
      if (!fresh || fresh.version === record.version) throw error;
      return instance.client.requestToken({ credentials: publicFields(fresh.values), current, signal });
    }
  }

  /** The upstream's documented rate limit, shared by every replica. */
  private async takeRateSlot(instance: ProviderInstance): Promise<void> {
    if (!instance.requestsPerMinute) return;
    const waitMs = await this.tokens.takeRateSlot(instance.id, instance.requestsPerMinute);
    if (waitMs > 0) {
      throw new UpstreamError(instance.id, 'transient', 'rate_limited', `Over ${instance.requestsPerMinute} token requests per minute`, {
        retryAfterMs: waitMs,
      });
    }
  }

  /** Refuses to call an upstream that needs a person, or that is still in its backoff window. */
  private async assertMayCallUpstream(provider: string): Promise<void> {
    const status = await this.tokens.getStatus(provider);
    if (status?.state === 'reauthorization_required') {
      throw new ReauthorizationRequiredError(provider, status.lastError?.message ?? `"${provider}" needs new credentials`);
    }
    if (status?.retryAt && status.retryAt > Date.now()) {
      throw new UpstreamUnavailableError(
        provider,
        `Upstream for "${provider}" is failing (${status.lastError?.message ?? 'unknown error'}); next attempt after backoff`,
        Math.ceil((status.retryAt - Date.now()) / 1000),
      );
    }
  }

  private async recordFailure(provider: string, error: unknown, started: number): Promise<unknown> {
    if (!(error instanceof UpstreamError)) {
      this.logger.debug({ msg: 'Refresh stopped before an upstream answer', ...refreshEvent(provider, 'error', started), code: errorCode(error) });
      return error;
    }
    const previous = await this.tokens.getStatus(provider).catch(() => undefined);
    const failures = (previous?.consecutiveFailures ?? 0) + 1;
    const lastError = { code: error.reason, message: error.message, at: Date.now() };
    const durableWritePending = this.rotating.hasPending(provider) || undefined;
    if (error.kind === 'permanent') {
      const status: ProviderStatus = { ...previous, state: 'reauthorization_required', consecutiveFailures: failures, lastError, retryAt: undefined, durableWritePending };
      await this.tokens.putStatus(provider, status).catch(() => undefined);
      this.logger.error({ msg: `${provider} needs a person: ${error.message}`, ...refreshEvent(provider, 'reauthorization_required', started), reason: error.reason });
      return new ReauthorizationRequiredError(provider, `Upstream rejected the credentials for "${provider}": ${error.reason}. Update them with PUT /admin/credentials/${provider}`, { cause: error });
    }
    const waitMs = Math.max(backoffMs(failures), error.details.retryAfterMs ?? 0);
    const status: ProviderStatus = { ...previous, state: 'failing', consecutiveFailures: failures, lastError, retryAt: Date.now() + waitMs, durableWritePending };
    await this.tokens.putStatus(provider, status).catch(() => undefined);
    this.logger.warn({ msg: `Refresh of ${provider} failed (${error.reason}), attempt ${failures}; retrying in ${Math.ceil(waitMs / 1000)}s`, ...refreshEvent(provider, 'failing', started), reason: error.reason });
    return new UpstreamUnavailableError(provider, `Upstream for "${provider}" is unavailable: ${error.message}`, Math.ceil(waitMs / 1000), { cause: error });
  }
}

function pickToken(issued: IssuedToken): Pick<StoredToken, 'accessToken' | 'tokenType' | 'expiresAt' | 'state'> {
  return { accessToken: issued.accessToken, tokenType: issued.tokenType, expiresAt: issued.expiresAt, state: issued.state };
}

/** The fields of the one log line each refresh ends with. */
function refreshEvent(provider: string, outcome: string, started: number): Record<string, string | number> {
  return { event: 'refresh', provider, outcome, duration_ms: Date.now() - started };
}

function errorCode(error: unknown): string {
  return error instanceof BrokerError ? error.code : ((error as Error)?.name ?? 'error');
}
