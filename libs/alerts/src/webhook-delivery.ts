import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderStateEvent } from './provider-state-event';

/** How hard one webhook is tried: every bound a dead or slow receiver can hit. */
export interface DeliveryBounds {
  /** One POST, answer headers included. */
  timeoutMs: number;
  /** Per event, the first attempt included. */
  maxAttempts: number;
  /** Events waiting for this webhook; beyond it the oldest waiting one is dropped. */
  queueSize: number;
  /** Wait before the first retry; doubles per retry up to `backoffMaxMs`, each with up to 50% jitter off. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_DELIVERY_BOUNDS: DeliveryBounds = {
  timeoutMs: 5_000,
  maxAttempts: 5,
  queueSize: 100,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
};

type Attempt = { kind: 'delivered' } | { kind: 'retry' | 'rejected'; why: string };

/**
 * One webhook's queue, sent in order by one background loop: a dead receiver delays only its own
 * events, never a refresh (enqueue returns at once) and never another webhook.
 */
export class WebhookDelivery {
  private readonly logger = new Logger('Alerts');
  private readonly queue: ProviderStateEvent[] = [];
  private readonly stopped = new AbortController();
  private closing = false;
  private sending = false;
  private idle: Promise<void> = Promise.resolve();
  /** Host only: a webhook's path or query is often its secret. */
  readonly label: string;

  constructor(
    private readonly url: string,
    private readonly bounds: DeliveryBounds,
  ) {
    this.label = new URL(url).host;
  }

  enqueue(event: ProviderStateEvent): void {
    if (this.closing) return;
    if (this.queue.length >= this.bounds.queueSize) {
      const dropped = this.queue.shift()!;
      this.logger.warn(`Alert to ${this.label} dropped (${this.bounds.queueSize} waiting): ${change(dropped)}`);
    }
    this.queue.push(event);
    if (!this.sending) {
      this.sending = true;
      this.idle = this.sendAll();
    }
  }

  /** Sends what is queued for up to `graceMs` without retries, then abandons the rest. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    await Promise.race([this.idle, sleep(graceMs, undefined, { ref: false })]);
    this.stopped.abort();
    await this.idle;
    if (this.queue.length > 0) this.logger.warn(`${this.queue.length} alert(s) to ${this.label} not delivered: shutting down`);
  }

  private async sendAll(): Promise<void> {
    // from the next turn of the event loop: even building the first request is not the writer's time
    await new Promise((resolve) => setImmediate(resolve));
    for (let event = this.queue.shift(); event && !this.stopped.signal.aborted; event = this.queue.shift()) await this.send(event);
    // in the same tick as finding the queue empty: an enqueue after this starts a new loop
    this.sending = false;
  }

  private async send(event: ProviderStateEvent): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.post(event);
      if (result.kind === 'delivered') return;
      const last = result.kind === 'rejected' || attempt >= this.bounds.maxAttempts || this.closing;
      if (last) {
        this.logger.warn(`Alert to ${this.label} not delivered after ${attempt} attempt(s) (${result.why}): ${change(event)}`);
        return;
      }
      const delay = Math.min(this.bounds.backoffBaseMs * 2 ** (attempt - 1), this.bounds.backoffMaxMs) * (0.5 + Math.random() / 2);
      await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
    }
  }

  private async post(event: ProviderStateEvent): Promise<Attempt> {
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.bounds.timeoutMs), this.stopped.signal]),
      });
      await response.body?.cancel();
      if (response.ok) return { kind: 'delivered' };
      // throttled or broken receivers may recover; any other answer will not change on a retry
      const retry = response.status === 408 || response.status === 429 || response.status >= 500;
      return { kind: retry ? 'retry' : 'rejected', why: `answered ${response.status}` };
    } catch (error) {
      return { kind: 'retry', why: describeFailure(error as Error) };
    }
  }
}

function change(event: ProviderStateEvent): string {
  return `${event.provider} ${event.old_state ?? 'unknown'} -> ${event.new_state}`;
}

/** fetch's own messages are generic ("fetch failed"); the cause's code says what happened, without the URL. */
function describeFailure(error: Error): string {
  if (error.name === 'TimeoutError') return 'no answer in time';
  if (error.name === 'AbortError') return 'shutting down';
  const code = (error.cause as { code?: string } | undefined)?.code;
  return code ?? error.name;
}
