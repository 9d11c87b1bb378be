import { Logger } from '@nestjs/common';
import { WebhookReceiver } from '@app/alerts/testing';
import type { ProviderStatus } from '@app/token-store';
import { AlertNotifier } from './alert-notifier.service';
import type { ProviderStateEvent } from './provider-state-event';
import type { DeliveryBounds } from './webhook-delivery';

/** A generous timeout where timeouts are not the subject: a slow answer under load would otherwise be retried. */
const FAST: DeliveryBounds = { timeoutMs: 2_000, maxAttempts: 4, queueSize: 10, backoffBaseMs: 60, backoffMaxMs: 1_000 };
const failing: ProviderStatus = {
  state: 'failing',
  consecutiveFailures: 1,
  lastError: { code: 'http_503', message: 'Upstream answered 503', at: 1 },
};
const ok: ProviderStatus = { state: 'ok', consecutiveFailures: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Delivery against real HTTP receivers on 127.0.0.1: no fetch mocks. */
describe('AlertNotifier', () => {
  let receivers: WebhookReceiver[] = [];
  let notifier: AlertNotifier | undefined;

  beforeAll(() => Logger.overrideLogger(false)); // the delivery warnings are expected here
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));
  afterEach(async () => {
    await notifier?.onApplicationShutdown();
    await Promise.all(receivers.map((receiver) => receiver.stop()));
    receivers = [];
    notifier = undefined;
  });

  async function receiver(): Promise<WebhookReceiver> {
    const created = new WebhookReceiver();
    await created.start();
    receivers.push(created);
    return created;
  }

  function notifierFor(urls: string[], bounds: DeliveryBounds = FAST): AlertNotifier {
    notifier = new AlertNotifier({ webhookUrls: urls }, bounds);
    return notifier;
  }

  it('POSTs one JSON event per state change to every webhook, at its exact URL', async () => {
    const [a, b] = [await receiver(), await receiver()];
    const alerts = notifierFor([`${a.url}/hook?team=ops`, `${b.url}/other/`]);
    alerts.statusWritten('crm', ok, failing);
    alerts.statusWritten('crm', failing, { ...failing, consecutiveFailures: 2 }); // no change: nothing sent
    alerts.statusWritten('crm', failing, ok);
    await until(() => a.requests.length === 2 && b.requests.length === 2);
    await sleep(100);
    expect(a.requests.map((request) => [request.method, request.path, request.contentType])).toEqual([
      ['POST', '/hook?team=ops', 'application/json'],
      ['POST', '/hook?team=ops', 'application/json'],
    ]);
    expect(b.requests.map((request) => request.path)).toEqual(['/other/', '/other/']);
    const [down, up] = a.delivered<ProviderStateEvent>();
    const error = { code: 'http_503', message: 'Upstream answered 503' };
    expect(down).toMatchObject({ provider: 'crm', old_state: 'ok', new_state: 'failing', error });
    expect(up).toMatchObject({ provider: 'crm', old_state: 'failing', new_state: 'ok', error: null });
    expect(b.delivered()).toEqual([down, up]); // the same event, id included, to each webhook
  });

  it('retries a failing webhook with growing backoff and stops after maxAttempts', async () => {
    const webhook = await receiver();
    webhook.mode = { answer: 503 };
    notifierFor([webhook.url]).statusWritten('crm', ok, failing);
    await until(() => webhook.requests.length === 4);
    await sleep(FAST.backoffBaseMs * 8 + 200); // longer than a fifth attempt's backoff would be
    expect(webhook.requests).toHaveLength(4);
    const gaps = webhook.requests.slice(1).map((request, i) => request.at - webhook.requests[i].at);
    // 60, 120, 240 ms, each minus up to half as jitter
    expect(gaps[0]).toBeGreaterThanOrEqual(30 - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(60 - 5);
    expect(gaps[2]).toBeGreaterThanOrEqual(120 - 5);
    expect(gaps[2]).toBeGreaterThan(gaps[0]);
    expect(new Set(webhook.requests.map((request) => request.body)).size).toBe(1); // the same event each time
  });

  it('delivers once the webhook recovers, and does not retry an answer a retry cannot change', async () => {
    const [flaky, strict] = [await receiver(), await receiver()];
    flaky.mode = { answer: 500 };
    strict.mode = { answer: 400 };
    notifierFor([flaky.url, strict.url]).statusWritten('crm', ok, failing);
    await until(() => flaky.requests.length === 1);
    flaky.mode = { answer: 200 };
    await until(() => flaky.delivered().length === 1);
    await sleep(300);
    expect(flaky.requests).toHaveLength(2);
    expect(strict.requests).toHaveLength(1);
  });

  it('cuts each attempt at a dead webhook at the timeout, without delaying the caller or the other webhook', async () => {
    const [dead, live] = [await receiver(), await receiver()];
    dead.mode = 'hang';
    const alerts = notifierFor([dead.url, live.url], { ...FAST, timeoutMs: 300, maxAttempts: 2, backoffBaseMs: 10 });
    const started = Date.now();
    alerts.statusWritten('crm', ok, failing);
    alerts.statusWritten('crm', failing, ok);
    expect(Date.now() - started).toBeLessThan(20);
    await until(() => live.delivered().length === 2, 1_000);
    expect(live.requests[1].at - started).toBeLessThan(500); // behind the dead one's attempts it would take 600 ms or more
    await until(() => dead.requests.length === 4);
    const gaps = dead.requests.slice(1).map((request, i) => request.at - dead.requests[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200); // 300 ms timeout + up to 10 ms backoff, less connection jitter
  });

  it('keeps at most queueSize events waiting per webhook, dropping the oldest', async () => {
    const dead = await receiver();
    dead.mode = 'hang';
    const alerts = notifierFor([dead.url], { ...FAST, timeoutMs: 200, maxAttempts: 1, queueSize: 3 });
    for (let i = 1; i <= 10; i += 1) alerts.statusWritten(`p${i}`, ok, failing);
    await until(() => dead.requests.length === 3);
    await sleep(400);
    const providers = dead.requests.map((request) => (JSON.parse(request.body) as ProviderStateEvent).provider);
    expect(providers).toEqual(['p8', 'p9', 'p10']);
  });

  it('gives queued events a bounded grace on shutdown, then abandons a dead webhook', async () => {
    const dead = await receiver();
    dead.mode = 'hang';
    const alerts = notifierFor([dead.url], { ...FAST, timeoutMs: 30_000 });
    alerts.statusWritten('crm', ok, failing);
    alerts.statusWritten('crm', failing, ok);
    await until(() => dead.requests.length === 1);
    const started = Date.now();
    await alerts.onApplicationShutdown();
    expect(Date.now() - started).toBeLessThan(2_500);
    alerts.statusWritten('crm', ok, failing); // after shutdown: ignored
    await sleep(100);
    expect(dead.requests).toHaveLength(1);
  });

  it('does nothing without webhooks', () => {
    expect(() => notifierFor([]).statusWritten('crm', ok, failing)).not.toThrow();
  });
});
