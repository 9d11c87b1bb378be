import autocannon from 'autocannon';
import Redis from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassolutionSimulator, SmartDocumentorSimulator } from '@app/providers/testing';
import { ADMIN_TOKEN, CALLER_KEY, callersYaml, putCredentials } from './support/broker-harness';
import { BrokerProcess } from './support/broker-process';
import { freePort, RedisServer } from './support/redis-server';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const SD_CLIENT = { clientId: 'sd-client', clientSecret: TEST_SECRETS.clientSecret };
const PA_CLIENT = { clientId: 'pa-client', clientSecret: TEST_SECRETS.passolutionSecret };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two real broker processes on one real redis-server, which is SIGKILLed under load and restarted
 * on the same port: callers must not notice while a valid token exists (README "When Redis is away").
 */
describe('Redis killed under load', () => {
  const redis = new RedisServer();
  const sd = new SmartDocumentorSimulator(SD_CLIENT);
  const pa = new PassolutionSimulator(PA_CLIENT, { tokenLifetimeSeconds: 3600 });
  const dir = mkdtempSync(join(tmpdir(), 'tb-outage-'));
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  let a: BrokerProcess;
  let b: BrokerProcess;

  beforeAll(async () => {
    await Promise.all([redis.start(), sd.start(), pa.start()]);
    writeFileSync(
      join(dir, 'providers.yaml'),
      `providers:\n  sd: { type: smartdocumentor, baseUrl: "${sd.url}" }\n  pa: { type: passolution, baseUrl: "${pa.url}" }\n`,
    );
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CALLER_RATE_LIMIT: '1000000',
      CREDENTIALS_FILE: join(dir, 'credentials.enc'),
      BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      // how long a rotating provider's caller waits for Redis to be back: past 6 s of outage the client
      // retries once a second, so a wait must cover a restart plus up to a second before it reconnects
      LOCK_WAIT_MS: '2500',
      LOG_LEVEL: 'info', // one line per request under load; captured and checked for secrets at teardown
    };
    [a, b] = await Promise.all([0, 1].map(async () => new BrokerProcess(await freePort(), env)));
    await Promise.all([a.start(), b.start()]);
    await putCredentials(a, 'sd', { client_id: SD_CLIENT.clientId, client_secret: SD_CLIENT.clientSecret });
    await putCredentials(a, 'pa', {
      client_id: PA_CLIENT.clientId,
      client_secret: PA_CLIENT.clientSecret,
      refresh_token: pa.currentRefreshToken,
    });
    for (const broker of [a, b])
      for (const provider of ['sd', 'pa']) await waitFor(async () => (await fetchToken(broker, provider)).status === 200);
  });

  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await Promise.all([redis.stop(), sd.stop(), pa.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves 50 connections at normal latency with 0 errors while Redis is down, reports it, and recovers', async () => {
    const samples: Array<{ at: number; ms: number; status: number }> = [];
    const loadStartedAt = Date.now();
    let load!: autocannon.Instance;
    const loaded = new Promise<autocannon.Result>((resolve, reject) => {
      load = autocannon(
        {
          url: `${a.url}/tokens/sd`,
          connections: 50,
          duration: 6, // short: the suite runs timing-sensitive specs beside this one on few cores
          headers: { authorization: `Bearer ${CALLER_KEY}` },
          // the broker closes a connection after 1,000 requests (answering 503 to any sent after its "Connection: close")
          reconnectRate: 900,
        },
        (error: Error | null, result) => (error ? reject(error) : resolve(result)),
      );
    });
    load.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => samples.push({ at: Date.now(), ms, status }));

    await sleep(1_500);
    const killedAt = Date.now();
    await redis.kill();
    await sleep(1_000);
    const probedAt = Date.now();
    const [ready, live, providers] = await Promise.all(
      ['/health/ready', '/health/live', '/providers'].map((path) => fetch(`${a.url}${path}`)),
    );
    const probeMs = Date.now() - probedAt;
    const readyBody = await ready.json();
    await sleep(1_500);
    const restartedAt = Date.now();
    await redis.start();
    const result = await loaded;

    // by when a request was sent: one held until Redis returned counts with its whole wait
    const during = samples.filter((sample) => sample.at - sample.ms > killedAt && sample.at - sample.ms < restartedAt);
    const p99 = (values: number[]) => values.sort((x, y) => x - y)[Math.max(0, Math.ceil(values.length * 0.99) - 1)];
    const report = {
      requests: samples.length,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      p99AllMs: result.latency.p99,
      // after the first half second, in which 50 connections open
      p99BeforeKillMs: p99(samples.filter((sample) => sample.at > loadStartedAt + 500 && sample.at < killedAt).map((sample) => sample.ms)),
      sentDuringOutage: during.length,
      p99DuringOutageMs: p99(during.map((sample) => sample.ms)),
      maxDuringOutageMs: Math.max(...during.map((sample) => sample.ms)),
    };
    console.log(`Redis killed under load: ${JSON.stringify(report)}`);
    expect(result.non2xx + result.errors + result.timeouts).toBe(0);
    expect(during.length).toBeGreaterThan(100);
    // nobody waits for Redis: a caller who did would wait for the restart, up to 2.5 s, and p99 was
    // that long before. Not a tighter bound: alone this is 12-20 ms, but with the suite's chaos runs
    // on the same two cores one clean run measured 321 ms (60 before the kill, 4 times fewer requests)
    expect(report.p99DuringOutageMs).toBeLessThan(Math.max(1_000, 1.5 * report.p99BeforeKillMs));
    // still serving: a load balancer must keep every replica in rotation, and the body says what is away
    expect(ready.status).toBe(200);
    expect(readyBody).toMatchObject({
      status: 'degraded',
      error: { token_store: { status: 'down', message: expect.stringMatching(/^Redis is unavailable since \d{4}-\d\d-\d\dT/) } },
      info: { credential_store: { status: 'up' } },
    });
    expect(live.status).toBe(200);
    expect(providers.status).toBe(503); // the states are in Redis
    expect(probeMs).toBeLessThan(3_000); // not the 6 s a command waits for Redis; loose for a busy machine

    // everything comes back by itself: readiness, and the announcements of another replica's refresh
    for (const broker of [a, b])
      await waitFor(async () => ((await (await fetch(`${broker.url}/health/ready`)).json()) as { status: string }).status === 'ok');
    await sleep(500);
    const before = (await fetchToken(a, 'sd')).token;
    await adminRefresh(b, 'sd');
    const refreshed = (await fetchToken(b, 'sd')).token;
    expect(refreshed === before).toBe(false);
    await waitFor(async () => (await fetchToken(a, 'sd')).token === refreshed, 3_000);
  });

  it('refreshes a client-credentials token without the lock while Redis is away; a rotating provider waits for Redis and its fence', async () => {
    const sdToken = (await fetchToken(a, 'sd')).token;
    const paToken = (await fetchToken(a, 'pa')).token;
    const [sdCalls, paCalls] = [sd.callsTo('/connect/token').length, pa.callsTo('/oauth/token').length];
    await redis.kill();
    await waitFor(async () => ((await (await fetch(`${a.url}/health/ready`)).json()) as { status: string }).status === 'degraded');
    await sleep(2_500); // both known tokens (an hour's lifetime) now have less than 3599 s left

    // a caller who needs more than the known token has: a new one, without Redis
    const longer = await fetchToken(a, 'sd', '?minTtl=3599');
    expect(longer.status).toBe(200);
    expect(longer.token === sdToken).toBe(false); // compared, never printed: a token in a failure message fails the log check
    expect(sd.callsTo('/connect/token').length).toBe(sdCalls + 1);
    expect((await fetchToken(a, 'sd')).token === longer.token).toBe(true);

    // the single-use refresh token is not presented without the fence: the known token is served while it
    // lasts; a caller who needs more waits LOCK_WAIT_MS for Redis, as for another replica's claim
    const known = await fetchToken(a, 'pa');
    expect(known.status).toBe(200);
    expect(known.token === paToken).toBe(true);
    const started = Date.now();
    expect(await fetchToken(a, 'pa', '?minTtl=3599')).toMatchObject({ status: 503, error: 'token_store_unavailable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
    expect(pa.callsTo('/oauth/token').length).toBe(paCalls); // the scheduler ticked meanwhile, and presented nothing either

    // new credentials reset states kept in Redis: refused at once, with nothing changed, rather than after the 6 s a command waits
    const stored = await adminCredentials(a, 'sd');
    const putStarted = Date.now();
    const put = await fetch(`${a.url}/admin/credentials/sd`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: SD_CLIENT.clientId, client_secret: SD_CLIENT.clientSecret }),
    });
    const putMs = Date.now() - putStarted;
    expect(await put.json()).toMatchObject({
      error: 'token_store_unavailable',
      message: expect.stringMatching(/^Redis is unavailable since .*credentials not changed/),
    });
    expect(put.status).toBe(503);
    const removal = await fetch(`${a.url}/admin/credentials/sd`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(removal.status).toBe(503);
    expect(await adminCredentials(a, 'sd')).toEqual(stored);
    expect(putMs).toBeLessThan(1_000);

    // Redis back within the wait: the caller gets a token refreshed through the whole protocol
    const waiting = fetchToken(a, 'pa', '?minTtl=3599');
    await sleep(500);
    await redis.start();
    expect(await waiting).toMatchObject({ status: 200 });
    expect(pa.callsTo('/oauth/token').length).toBe(paCalls + 1);
    // b too: until it has reconnected it serves what it knows, and would refresh `sd` itself for minTtl
    for (const broker of [a, b])
      await waitFor(async () => ((await (await fetch(`${broker.url}/health/ready`)).json()) as { status: string }).status === 'ok');
    // written back, fenced, for every replica
    const client = new Redis(redis.url);
    try {
      await waitFor(async () => JSON.parse((await client.get(`${prefix}{sd}:token`)) ?? '{}').accessToken === longer.token, 2_000);
    } finally {
      client.disconnect();
    }
    expect((await fetchToken(b, 'sd', '?minTtl=3590')).token === longer.token).toBe(true);
  });
});

/** What the admin API says is stored (fields, version, time): read from the credential store, not Redis. */
async function adminCredentials(broker: BrokerProcess, provider: string): Promise<unknown> {
  const res = await fetch(`${broker.url}/admin/credentials/${provider}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.json();
}

async function fetchToken(
  broker: BrokerProcess,
  provider: string,
  query = '',
): Promise<{ status: number; token?: string; error?: string }> {
  const res = await fetch(`${broker.url}/tokens/${provider}${query}`, { headers: { authorization: `Bearer ${CALLER_KEY}` } });
  const body = (await res.json()) as { access_token?: string; error?: string };
  return { status: res.status, token: body.access_token, error: body.error };
}

function adminRefresh(broker: BrokerProcess, provider: string): Promise<Response> {
  return fetch(`${broker.url}/tokens/${provider}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}
