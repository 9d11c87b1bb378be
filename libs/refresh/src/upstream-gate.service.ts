import { Injectable } from '@nestjs/common';
import { ReauthorizationRequiredError, UpstreamError, UpstreamUnavailableError } from '@app/errors';
import type { ProviderInstance } from '@app/providers';
import { InjectWindowCounter, type WindowCounter } from '@app/rate-limit';
import { InjectTokenStore, type ProviderStatus, type TokenStore } from '@app/token-store';

/** While a provider backs off, one caller's request may still try it this often (across replicas). */
export const PROBE_INTERVAL_MS = 5_000;

/**
 * What must hold before a request goes upstream: the provider does not need a person, is not in
 * its backoff window, and a slot of its shared per-minute budget is free. The slot is taken last,
 * right before the call, so attempts that stop earlier never spend one.
 *
 * Backoff is half-open: a caller's request may probe the upstream once per PROBE_INTERVAL_MS, so a
 * recovered upstream is noticed within seconds, not after a backoff of minutes. An upstream's own
 * Retry-After is never probed early.
 */
@Injectable()
export class UpstreamGate {
  constructor(
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectWindowCounter() private readonly counter: WindowCounter,
  ) {}

  /** Throws unless a call may go upstream now; true when this call is the half-open probe. */
  async admit(provider: string, mayProbe: boolean): Promise<boolean> {
    const status = await this.tokens.getStatus(provider);
    assertNotRefused(provider, status);
    if (!inBackoff(status)) return false;
    const hardStop = (status.notBefore ?? 0) > Date.now();
    if (!hardStop && mayProbe && (await this.tokens.takeProbe(provider, PROBE_INTERVAL_MS))) return true;
    throw backingOff(provider, status, hardStop);
  }

  /** Looked at again under the lock (another replica may have failed meanwhile); an admitted probe keeps its pass. */
  async recheck(provider: string, probing: boolean): Promise<void> {
    const status = await this.tokens.getStatus(provider);
    assertNotRefused(provider, status);
    if (inBackoff(status) && !probing) throw backingOff(provider, status, (status.notBefore ?? 0) > Date.now());
  }

  async takeSlot(instance: ProviderInstance): Promise<void> {
    if (!instance.requestsPerMinute) return;
    const { total, resetInMs } = await this.counter.add(`{${instance.id}}:rate`, 1, 60_000);
    if (total > instance.requestsPerMinute) {
      throw new UpstreamError(instance.id, 'transient', 'rate_limited', `Over ${instance.requestsPerMinute} token requests per minute`, {
        retryAfterMs: resetInMs,
      });
    }
  }
}

function assertNotRefused(provider: string, status: ProviderStatus | undefined): void {
  if (status?.state !== 'reauthorization_required') return;
  const reason = status.lastError?.code ?? 'reauthorization_required';
  throw new ReauthorizationRequiredError(provider, reason, status.lastError?.message ?? `"${provider}" needs new credentials`);
}

function inBackoff(status: ProviderStatus | undefined): status is ProviderStatus & { retryAt: number } {
  return !!status?.retryAt && status.retryAt > Date.now();
}

function backingOff(provider: string, status: ProviderStatus & { retryAt: number }, hardStop: boolean): UpstreamUnavailableError {
  const until = hardStop ? status.notBefore! : Math.min(status.retryAt, Date.now() + PROBE_INTERVAL_MS);
  return new UpstreamUnavailableError(
    provider,
    `Upstream for "${provider}" is failing (${status.lastError?.message ?? 'unknown error'}); next attempt after backoff`,
    Math.max(1, Math.ceil((until - Date.now()) / 1000)),
  );
}
