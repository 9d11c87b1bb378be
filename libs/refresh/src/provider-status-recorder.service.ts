import { Injectable, Logger } from '@nestjs/common';
import { AlertNotifier } from '@app/alerts';
import {
  BrokerError,
  CredentialsMissingError,
  LockUnavailableError,
  ReauthorizationRequiredError,
  TokenStoreUnavailableError,
  UpstreamError,
  UpstreamUnavailableError,
} from '@app/errors';
import { BrokerMetrics } from '@app/metrics';
import { InjectTokenStore, type ProviderStatus, type TokenStore } from '@app/token-store';
import { backoffMs } from './refresh-timing';

/**
 * Writes the outcome of every refresh into the shared provider status (what /providers and the
 * backoff gate read), with its one log line and metric. A status write that fails is logged: the
 * refresh's own outcome does not depend on it.
 */
@Injectable()
export class ProviderStatusRecorder {
  private readonly logger = new Logger('TokenRefresher');

  constructor(
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly metrics: BrokerMetrics,
    private readonly alerts: AlertNotifier,
  ) {}

  async refreshed(provider: string, outcome: { durable: boolean; started: number; expiresAt: number }): Promise<void> {
    const status: ProviderStatus = outcome.durable
      ? { state: 'ok', consecutiveFailures: 0, lastRefreshAt: Date.now() }
      : { state: 'degraded', consecutiveFailures: 0, lastRefreshAt: Date.now(), durableWritePending: true };
    await this.write(provider, status);
    this.metrics.refreshes.inc({ provider, outcome: 'ok' });
    const result = outcome.durable ? 'ok' : 'degraded';
    this.logger.log({
      msg: `Refreshed ${provider}`,
      ...event(provider, result, outcome.started),
      expires_at: new Date(outcome.expiresAt).toISOString(),
    });
  }

  /** New credentials end a "needs a person" state and any backoff at once, on every replica. Throws when not written. */
  async credentialsReplaced(provider: string): Promise<void> {
    const status: ProviderStatus = { state: 'ok', consecutiveFailures: 0 };
    this.alerts.statusWritten(provider, await this.tokens.putStatus(provider, status), status);
  }

  /** A pending rotated credential was committed (or retired by newer credentials) after an earlier refusal. */
  async outboxSettled(provider: string, how: 'committed' | 'retired'): Promise<void> {
    const previous = await this.read(provider);
    const state = previous?.state === 'degraded' || !previous ? 'ok' : previous.state;
    await this.write(provider, {
      ...previous,
      state,
      consecutiveFailures: previous?.consecutiveFailures ?? 0,
      durableWritePending: undefined,
    });
    this.logger.log({ msg: `Pending credentials of ${provider} ${how}`, event: 'outbox', provider, outcome: how });
  }

  /** Records a failed refresh and returns the error callers should see. */
  async failed(provider: string, error: unknown, started: number): Promise<unknown> {
    const upstream = error instanceof UpstreamError ? error : (error as Error | undefined)?.cause;
    if (upstream instanceof UpstreamError) this.metrics.refreshes.inc({ provider, outcome: upstream.kind });
    if (error instanceof UpstreamError && error.kind === 'permanent')
      return this.needsPerson(provider, error.reason, error.message, started, error);
    if (error instanceof ReauthorizationRequiredError) return this.needsPerson(provider, error.reason, error.message, started, error);
    if (error instanceof UpstreamError) return this.backOff(provider, error, started);
    if (error instanceof BrokerError && !isContention(error)) {
      const previous = await this.read(provider);
      const lastError = { code: error.code, message: error.message, at: Date.now() };
      await this.write(provider, {
        ...previous,
        state: 'failing',
        consecutiveFailures: (previous?.consecutiveFailures ?? 0) + 1,
        lastError,
      });
      this.logger.warn({ msg: `Refresh of ${provider} failed: ${error.message}`, ...event(provider, 'error', started), code: error.code });
    }
    return error;
  }

  private async needsPerson(
    provider: string,
    reason: string,
    message: string,
    started: number,
    cause: Error,
  ): Promise<ReauthorizationRequiredError> {
    const previous = await this.read(provider);
    const lastError = { code: reason, message, at: Date.now() };
    await this.write(provider, {
      ...previous,
      state: 'reauthorization_required',
      consecutiveFailures: (previous?.consecutiveFailures ?? 0) + 1,
      lastError,
      retryAt: undefined,
    });
    this.logger.error({ msg: `${provider} needs a person: ${message}`, ...event(provider, 'reauthorization_required', started), reason });
    if (cause instanceof ReauthorizationRequiredError) return cause;
    return new ReauthorizationRequiredError(
      provider,
      reason,
      `Upstream rejected the credentials for "${provider}": ${reason}. Update them with PUT /admin/credentials/${provider}`,
      { cause },
    );
  }

  private async backOff(provider: string, error: UpstreamError, started: number): Promise<UpstreamUnavailableError> {
    const previous = await this.read(provider);
    const failures = (previous?.consecutiveFailures ?? 0) + 1;
    const waitMs = Math.max(backoffMs(failures), error.details.retryAfterMs ?? 0);
    const lastError = { code: error.reason, message: error.message, at: Date.now() };
    const notBefore = error.details.retryAfterMs ? Date.now() + error.details.retryAfterMs : undefined;
    await this.write(provider, {
      ...previous,
      state: 'failing',
      consecutiveFailures: failures,
      lastError,
      retryAt: Date.now() + waitMs,
      notBefore,
    });
    this.logger.warn({
      msg: `Refresh of ${provider} failed (${error.reason}), attempt ${failures}; retrying in ${Math.ceil(waitMs / 1000)}s`,
      ...event(provider, 'failing', started),
      reason: error.reason,
    });
    return new UpstreamUnavailableError(provider, `Upstream for "${provider}" is unavailable: ${error.message}`, Math.ceil(waitMs / 1000), {
      cause: error,
    });
  }

  private async read(provider: string): Promise<ProviderStatus | undefined> {
    return this.tokens.getStatus(provider).catch((error: Error) => {
      this.logger.warn(`Status of ${provider} not readable (${error.message})`);
      return undefined;
    });
  }

  /**
   * Alerts are decided on what the write replaced, not on the `read` before it: the swap is atomic,
   * so of all replicas exactly the one whose write changed the state alerts. A status that could not
   * be written changed nothing, so it alerts nothing. The status view deriving
   * `reauthorization_required` from a chain's refusal mark after Redis lost its data is a read and
   * never alerts; the next refresh re-records that state from the mark and alerts it once more, with
   * `old_state: null`, so a lost status is re-announced rather than silently re-entered.
   */
  private async write(provider: string, status: ProviderStatus): Promise<void> {
    await this.tokens.putStatus(provider, status).then(
      (previous) => this.alerts.statusWritten(provider, previous, status),
      (error: Error) => this.logger.warn(`Status of ${provider} not written (${error.message}): /providers may show an older state`),
    );
  }
}

/** Waiting for another replica, or Redis being away: not a failure of this provider. */
function isContention(error: BrokerError): boolean {
  return error instanceof LockUnavailableError || error instanceof TokenStoreUnavailableError || error instanceof CredentialsMissingError;
}

/** The fields of the one log line each refresh ends with. */
function event(provider: string, outcome: string, started: number): Record<string, string | number> {
  return { event: 'refresh', provider, outcome, duration_ms: Date.now() - started };
}
