import { request as httpRequest } from 'node:http';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { ADMIN_TOKEN, BrokerHarness, CALLER_KEY, putCredentials, startBroker } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
/** Failures an address may make before it is slowed (AuthFailureThrottle). */
const FREE_FAILURES = 10;

/**
 * Wrong credentials are slowed per client address; right ones never are. Loopback has many
 * addresses: the guesser sends from 127.0.0.2, bystanders from 127.0.0.1.
 */
describe('throttling failed authentications', () => {
  const simulator = new SmartDocumentorSimulator(DEMO);
  let broker: BrokerHarness;

  beforeAll(async () => {
    await simulator.start();
    broker = await startBroker({ providersYaml: `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n` });
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
  });

  afterAll(async () => {
    await broker?.close();
    await simulator.stop();
  });

  const call = (from: string, path: string, token: string) => timedGet(broker.url, path, `Bearer ${token}`, from);

  it('answers the first failures 401 at once, then 429 with Retry-After after a growing delay', async () => {
    for (let i = 0; i < FREE_FAILURES; i += 1) {
      const res = await call('127.0.0.2', '/admin/credentials/sd', `wrong-admin-token-${i}`);
      expect(res.status).toBe(401);
      expect(res.ms).toBeLessThan(200);
    }
    const first = await call('127.0.0.2', '/admin/credentials/sd', 'wrong-admin-token-a');
    const second = await call('127.0.0.2', '/tokens/sd', 'tbk_wrong-caller-key');
    expect([first.status, second.status]).toEqual([429, 429]);
    expect(JSON.parse(first.body)).toEqual({ error: 'too_many_failed_authentications', message: expect.any(String) });
    expect(Number(first.headers['retry-after'])).toBeGreaterThan(0);
    expect(first.ms).toBeGreaterThanOrEqual(200);
    expect(second.ms).toBeGreaterThanOrEqual(450); // wrong caller keys count against the same address
  });

  it('serves right credentials from the slowed address at once', async () => {
    const caller = await call('127.0.0.2', '/tokens/sd', CALLER_KEY);
    const admin = await call('127.0.0.2', '/admin/credentials/sd', ADMIN_TOKEN);
    expect([caller.status, admin.status]).toEqual([200, 200]);
    // this address's next wrong credential would be held a second or more; a busy machine adds a few hundred ms
    expect(Math.max(caller.ms, admin.ms)).toBeLessThan(1_000);
  });

  it('does not slow other addresses', async () => {
    const res = await call('127.0.0.3', '/admin/credentials/sd', 'wrong-admin-token-elsewhere');
    expect(res.status).toBe(401); // a throttled answer would be a 429 held for seconds
    expect(res.ms).toBeLessThan(1_000);
  });

  it('answers a parallel guesser 429 past the free failures, while valid callers at the same address are served at once', async () => {
    const started = Date.now();
    const guesses = Array.from({ length: 200 }, (_, i) => call('127.0.0.4', '/tokens/sd', `tbk_guess-${i}`));
    const valid = await Promise.all(Array.from({ length: 20 }, () => call('127.0.0.4', '/tokens/sd', CALLER_KEY)));
    expect(valid.map((r) => r.status)).toEqual(Array(20).fill(200));
    // 200 guesses are in flight meanwhile, most of them held 4 s: a valid caller held with them would show it
    expect(Math.max(...valid.map((r) => r.ms))).toBeLessThan(2_500);
    const answers = await Promise.all(guesses);
    const counts = { 401: 0, 429: 0 } as Record<number, number>;
    for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
    expect(counts).toEqual({ 401: FREE_FAILURES, 429: 200 - FREE_FAILURES });
    expect(Date.now() - started).toBeLessThan(10_000); // the longest delay is a few seconds
  });
});

/** A GET from a chosen loopback address, timed. */
function timedGet(
  url: string,
  path: string,
  authorization: string,
  localAddress: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers: { authorization }, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}
