import { Injectable } from '@nestjs/common';
import { ReauthorizationRequiredError, UpstreamError, UpstreamUnavailableError } from '@app/errors';
import type { ProviderInstance } from '@app/providers';
import { InjectTokenStore, type TokenStore } from '@app/token-store';

/**
 * What must hold before a request goes upstream: the provider does not need a person, is not in
 * its backoff window, and a slot of its shared per-minute budget is free. The slot is taken last,
 * right before the call, so attempts that stop earlier never spend one.
 */
@Injectable()
export class UpstreamGate {
  constructor(@InjectTokenStore() private readonly tokens: TokenStore) {}

  async assertOpen(provider: string): Promise<void> {
    const status = await this.tokens.getStatus(provider);
    if (status?.state === 'reauthorization_required') {
      const reason = status.lastError?.code ?? 'reauthorization_required';
      throw new ReauthorizationRequiredError(provider, reason, status.lastError?.message ?? `"${provider}" needs new credentials`);
    }
    if (status?.retryAt && status.retryAt > Date.now()) {
      throw new UpstreamUnavailableError(
        provider,
        `Upstream for "${provider}" is failing (${status.lastError?.message ?? 'unknown error'}); next attempt after backoff`,
        Math.ceil((status.retryAt - Date.now()) / 1000),
      );
    }
  }

  async takeSlot(instance: ProviderInstance): Promise<void> {
    if (!instance.requestsPerMinute) return;
    const waitMs = await this.tokens.takeRateSlot(instance.id, instance.requestsPerMinute);
    if (waitMs > 0) {
      throw new UpstreamError(instance.id, 'transient', 'rate_limited', `Over ${instance.requestsPerMinute} token requests per minute`, {
        retryAfterMs: waitMs,
      });
    }
  }
}
