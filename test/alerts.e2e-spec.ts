import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderStateEvent } from '@app/alerts';
import { WebhookReceiver } from '@app/alerts/testing';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerProcess } from './support/broker-process';
import { ADMIN_TOKEN, CALLER_KEY, callersYaml, TEST_MASTER_KEY, testRedisUrl, uniquePrefix } from './support/broker-harness';
import { freePort } from './support/redis-server';
import { ISSUED_TOKEN_PATTERNS, TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CLIENT = { clientId: 'sd-client', clientSecret: TEST_SECRETS.clientSecret };
/** A webhook send that blocked its caller would take at least one attempt's timeout (5 s) at the dead webhook. */
const FAST_ANSWER_MS = 2_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 15, alerts: three broker processes on one Redis drive a provider through
 * failing -> ok -> reauthorization_required -> ok. A live webhook gets exactly one event per change
 * (not one per replica), a dead one that never answers is tried for each and slows no answer, and
 * no secret or token is in any event.
 */
describe('provider state alerts across three replicas', () => {
  jest.setTimeout(120_000);
  const simulator = new SmartDocumentorSimulator(CLIENT, { tokenLifetimeSeconds: 2 });
  const live = new WebhookReceiver();
  const dead = new WebhookReceiver();
  let brokers: BrokerProcess[] = [];

  beforeAll(async () => {
    await Promise.all([simulator.start(), live.start(), dead.start()]);
    dead.mode = 'hang';
    const dir = mkdtempSync(join(tmpdir(), 'tb-alerts-'));
    const providersYaml = `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}", refreshBefore: 50% }\n`;
    writeFileSync(join(dir, 'providers.yaml'), providersYaml);
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    const env = {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: uniquePrefix(),
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CALLER_RATE_LIMIT: '1000000',
      CREDENTIALS_FILE: join(dir, 'credentials.enc'),
      CREDENTIALS_CACHE_MS: '0', // every replica refreshes with the credentials a person just stored
      BROKER_MASTER_KEY: TEST_MASTER_KEY,
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      REFRESH_TICK_MS: '100',
      ALERT_WEBHOOK_URLS: `${dead.url}/never-answers,${live.url}/alerts?channel=ops`,
      LOG_LEVEL: 'debug', // captured and checked for secrets at teardown
    };
    brokers = await Promise.all([0, 1, 2].map(async () => new BrokerProcess(await freePort(), env)));
    await Promise.all(brokers.map((broker) => broker.start()));
  });

  afterAll(async () => {
    await Promise.all(brokers.map((broker) => broker.kill()));
    await Promise.all([simulator.stop(), live.stop(), dead.stop()]);
  });

  it('sends exactly one event per state change, whichever replica made it, and a dead webhook slows nothing', async () => {
    const answers: { route: string; ms: number }[] = [];
    const timed = async (route: string, call: () => Promise<Response>) => {
      const started = Date.now();
      const response = await call();
      await response.arrayBuffer();
      answers.push({ route, ms: Date.now() - started });
      return response;
    };
    let running = true;
    const callers = brokers.map(async (broker) => {
      while (running) {
        await timed('GET /tokens', () => fetch(`${broker.url}/tokens/sd`, { headers: { authorization: `Bearer ${CALLER_KEY}` } }));
        await sleep(30);
      }
    });
    const seed = async (broker: BrokerProcess, clientSecret: string) => {
      const response = await timed('PUT /admin/credentials', () =>
        fetch(`${broker.url}/admin/credentials/sd`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: CLIENT.clientId, client_secret: clientSecret }),
        }),
      );
      expect(response.status).toBe(204);
    };
    const events = () => live.delivered<ProviderStateEvent>();
    const untilEvents = (count: number) => waitFor(() => events().length >= count, 20_000);
    const refreshesSoFar = () => simulator.calls.length;

    try {
      await seed(brokers[0], CLIENT.clientSecret); // the first status: nothing to announce
      await waitFor(() => refreshesSoFar() >= 3, 15_000); // several refreshes, on any replica: ok -> ok

      simulator.fault = { mode: 'status', status: 503 };
      await untilEvents(1);
      await sleep(3_500); // retried with backoff meanwhile: failing -> failing, on any replica
      simulator.fault = { mode: 'none' };
      await untilEvents(2);

      await seed(brokers[1], TEST_SECRETS.wrongSecret); // ok -> ok: the refusal comes with the next refresh
      await untilEvents(3);
      await sleep(1_000);
      await seed(brokers[2], CLIENT.clientSecret); // the person's fix: leaves reauthorization_required
      await untilEvents(4);
      const calls = refreshesSoFar();
      await waitFor(() => refreshesSoFar() >= calls + 3, 15_000);
      await sleep(1_000); // time for any duplicate to arrive
    } finally {
      running = false;
      await Promise.all(callers);
    }

    expect(events().map((event) => [event.provider, event.old_state, event.new_state])).toEqual([
      ['sd', 'ok', 'failing'],
      ['sd', 'failing', 'ok'],
      ['sd', 'ok', 'reauthorization_required'],
      ['sd', 'reauthorization_required', 'ok'],
    ]);
    const [down, recovered, refused, fixed] = events();
    expect(down.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    expect(refused.error).toEqual({ code: 'invalid_client', message: expect.stringContaining('invalid_client') });
    expect([recovered.error, fixed.error]).toEqual([null, null]);
    expect(refused.text).toMatch(/^:red_circle: token-broker: \*sd\* needs a person/);
    expect(new Set(events().map((event) => event.id)).size).toBe(4);
    expect(live.requests.every((request) => request.method === 'POST' && request.path === '/alerts?channel=ops')).toBe(true);

    // one replica announced each change: four alert log lines across all three processes
    const alertLines = brokers.flatMap((broker) => broker.output.split('\n').filter((line) => line.includes('"event":"alert"')));
    expect(alertLines).toHaveLength(4);

    // the dead webhook (listed first) was tried, yet the live one got each event at once and no answer waited
    const ids = events().map((event) => event.id);
    expect(dead.requests.length).toBeGreaterThan(0);
    expect(dead.requests.every((request) => ids.includes((JSON.parse(request.body) as ProviderStateEvent).id))).toBe(true);
    const deliveryMs = live.requests.map((request, i) => request.at - Date.parse(events()[i].at));
    expect(deliveryMs.filter((ms) => ms >= FAST_ANSWER_MS)).toEqual([]);
    expect(answers.filter((answer) => answer.ms >= FAST_ANSWER_MS)).toEqual([]);
    expect(answers.length).toBeGreaterThan(100);

    for (const request of [...live.requests, ...dead.requests]) {
      for (const secret of Object.values(TEST_SECRETS)) expect(request.body).not.toContain(secret);
      for (const pattern of ISSUED_TOKEN_PATTERNS) expect(request.body).not.toMatch(pattern);
    }
    process.stdout.write(
      `\nAlerts run: ${JSON.stringify({
        events: events().length,
        deadWebhookAttempts: dead.requests.length,
        liveDeliveryMs: deliveryMs,
        answers: answers.length,
        slowestAnswerMs: Math.max(...answers.map((answer) => answer.ms)),
      })}\n`,
    );
  });
});
