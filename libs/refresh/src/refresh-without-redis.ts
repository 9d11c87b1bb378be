import { Injectable, Logger } from '@nestjs/common';
import { ReauthorizationRequiredError, TokenStoreUnreachableError, UpstreamError, UpstreamUnavailableError } from '@app/errors';
import { BrokerMetrics } from '@app/metrics';
import type { ProviderInstance } from '@app/providers';
import { InjectTokenStore, type StoredToken, type TokenStore } from '@app/token-store';
import { PlainGrant } from './plain-grant';
import { backoffMs } from './refresh-timing';
import { toStoredToken } from './to-stored-token';

/** How often a refresh waiting for Redis looks again: the client reconnects every 100 ms at first. */
const REDIS_POLL_MS = 50;

/** What this replica alone knows of a provider during one outage, standing in for the shared status and rate window. */
interface LocalGate {
  failures: number;
  retryAt: number;
  refused?: ReauthorizationRequiredError;
  minute: number;
  calls: number;
}

/**
 * Refreshes while Redis is away (README "When Redis is away"). A grant that spends no single-use
 * secret (client credentials, a signed request, an API key login) may go without the lock: the
 * worst case is one upstream call per replica instead of one in all. This replica's own backoff and
 * per-minute budget stand in for the shared ones, and the token is written back when Redis returns.
 * A single-use refresh token is never presented without the protocol's fence: the lock and any
 * outbox another replica left are in Redis, so such a refresh waits until Redis is back.
 */
@Injectable()
export class RefreshWithoutRedis {
  private readonly logger = new Logger('TokenRefresher');
  private readonly gates = new Map<string, LocalGate>();
  /** The outage the gates belong to: a new one starts from what Redis said last. */
  private outage?: number;

  constructor(
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly plainGrant: PlainGrant,
    private readonly metrics: BrokerMetrics,
  ) {}

  /**
   * A single-use refresh token waits, like a caller meeting another replica's claim, up to `waitMs`
   * for Redis to be back; the refresh then runs the whole protocol. Throws if Redis stays away.
   */
  async untilRedisIsBack(provider: string, since: number, waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (this.tokens.unreachableSince() !== undefined) {
      if (Date.now() >= deadline) {
        throw new TokenStoreUnreachableError(
          since,
          `"${provider}" spends a single-use refresh token: it is refreshed under the fence once Redis is back`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(REDIS_POLL_MS, deadline - Date.now())));
    }
  }

  /** A provider that spends no single-use secret: a token now, without the lock. */
  async refresh(instance: ProviderInstance, since: number): Promise<StoredToken> {
    const provider = instance.id;
    const gate = this.gateOf(provider, since);
    this.admit(instance, gate);
    const started = Date.now();
    const timer = this.metrics.refreshSeconds.startTimer();
    try {
      const issued = await this.plainGrant.request(instance, this.tokens.lastKnown(provider), async () => {
        gate.calls += 1;
      });
      const token = toStoredToken(issued, started, started);
      await this.tokens.put(provider, token);
      Object.assign(gate, { failures: 0, retryAt: 0 });
      this.metrics.refreshes.inc({ provider, outcome: 'ok' });
      const fields = {
        event: 'refresh',
        provider,
        outcome: 'ok',
        duration_ms: Date.now() - started,
        expires_at: new Date(token.expiresAt).toISOString(),
      };
      this.logger.log({ msg: `Refreshed ${provider} without Redis; written back when it returns`, ...fields });
      return token;
    } catch (error) {
      throw this.failed(provider, gate, error, started);
    } finally {
      timer();
    }
  }

  private gateOf(provider: string, since: number): LocalGate {
    if (since !== this.outage) {
      this.gates.clear();
      this.outage = since;
    }
    let gate = this.gates.get(provider);
    if (!gate) this.gates.set(provider, (gate = { failures: 0, retryAt: 0, minute: 0, calls: 0 }));
    return gate;
  }

  private admit(instance: ProviderInstance, gate: LocalGate): void {
    if (gate.refused) throw gate.refused;
    const now = Date.now();
    if (gate.retryAt > now) throw unavailable(instance.id, 'is failing; next attempt after backoff', gate.retryAt - now);
    const minute = Math.floor(now / 60_000);
    if (gate.minute !== minute) Object.assign(gate, { minute, calls: 0 });
    if (instance.requestsPerMinute && gate.calls >= instance.requestsPerMinute) {
      throw unavailable(instance.id, `is over ${instance.requestsPerMinute} token requests per minute`, (minute + 1) * 60_000 - now);
    }
  }

  /** The same answers callers get with Redis up, kept in this replica until Redis returns. */
  private failed(provider: string, gate: LocalGate, error: unknown, started: number): unknown {
    if (!(error instanceof UpstreamError)) return error;
    this.metrics.refreshes.inc({ provider, outcome: error.kind });
    const fields = { event: 'refresh', provider, duration_ms: Date.now() - started, reason: error.reason };
    if (error.kind === 'permanent') {
      const message = `Upstream rejected the credentials for "${provider}": ${error.reason}. Update them with PUT /admin/credentials/${provider}`;
      gate.refused = new ReauthorizationRequiredError(provider, error.reason, message, { cause: error });
      this.logger.error({ msg: `${provider} needs a person: ${message}`, ...fields, outcome: 'reauthorization_required' });
      return gate.refused;
    }
    gate.failures += 1;
    const waitMs = Math.max(backoffMs(gate.failures), error.details.retryAfterMs ?? 0);
    gate.retryAt = Date.now() + waitMs;
    this.logger.warn({
      msg: `Refresh of ${provider} without Redis failed (${error.reason}), attempt ${gate.failures}`,
      ...fields,
      outcome: 'failing',
    });
    return unavailable(provider, `is unavailable: ${error.message}`, waitMs, error);
  }
}

function unavailable(provider: string, what: string, waitMs: number, cause?: unknown): UpstreamUnavailableError {
  return new UpstreamUnavailableError(provider, `Upstream for "${provider}" ${what}`, Math.max(1, Math.ceil(waitMs / 1000)), { cause });
}
