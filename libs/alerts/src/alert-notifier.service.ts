import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ProviderStatus } from '@app/token-store';
import type { AlertsModuleOptions } from './alerts.module-definition';
import { providerStateEvent } from './provider-state-event';
import { DEFAULT_DELIVERY_BOUNDS, WebhookDelivery, type DeliveryBounds } from './webhook-delivery';

/** On shutdown, queued alerts get this long to go out (first attempts only) before they are abandoned. */
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * Turns status writes into provider state alerts for every webhook in ALERT_WEBHOOK_URLS. It is
 * told what each write replaced (TokenStore.putStatus swaps atomically), so across all replicas
 * exactly one writer sees each change and only that replica sends it. Delivery is in the
 * background: nothing here waits for a webhook.
 */
export class AlertNotifier implements OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly webhooks: WebhookDelivery[];

  constructor(options: AlertsModuleOptions, bounds: DeliveryBounds = DEFAULT_DELIVERY_BOUNDS) {
    this.webhooks = options.webhookUrls.map((url) => new WebhookDelivery(url, bounds));
    const hosts = this.webhooks.map((webhook) => webhook.label).join(', ');
    this.logger.log(hosts ? `Provider state alerts to ${hosts}` : 'Provider state alerts off (ALERT_WEBHOOK_URLS unset)');
  }

  /** Call after each status write with the status it replaced; alerts when the state changed. */
  statusWritten(provider: string, previous: ProviderStatus | undefined, current: ProviderStatus): void {
    const event = providerStateEvent(provider, previous, current);
    if (!event) return;
    this.logger.log({
      msg: `${provider}: ${event.old_state ?? 'unknown'} -> ${event.new_state}`,
      event: 'alert',
      provider,
      old_state: event.old_state,
      new_state: event.new_state,
      webhooks: this.webhooks.length,
    });
    for (const webhook of this.webhooks) webhook.enqueue(event);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.webhooks.map((webhook) => webhook.close(SHUTDOWN_GRACE_MS)));
  }
}
