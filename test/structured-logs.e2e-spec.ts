import request from 'supertest';
import { PassportalSimulator, PortfoleonSimulator, SmartDocumentorSimulator } from '@app/providers/testing';
import { ADMIN_TOKEN, BrokerHarness, CALLER_KEY, getToken, putCredentials, startBroker } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const SD = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
const PASSPORTAL = { keyId: 'pp-key-id', secretKey: TEST_SECRETS.passportalSecretKey };
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

type LogLine = Record<string, unknown>;
type SafeLine = LogLine & { keys: string[] };

/** A whole broker run logged into memory: every line is JSON, the expected lines are there, no secret is. */
describe('structured JSON logs', () => {
  const lines: string[] = [];
  const sd = new SmartDocumentorSimulator(SD);
  const failing = new SmartDocumentorSimulator(SD);
  const passportal = new PassportalSimulator(PASSPORTAL);
  const portfoleon = new PortfoleonSimulator(TEST_SECRETS.portfoleonApiKey);
  const issued: string[] = [];
  let broker: BrokerHarness;

  const parsed = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);
  /** Only fields that can never hold a secret, so a failing assertion cannot print one. */
  const safeFields = (): SafeLine[] =>
    parsed().map((l) => {
      const { level, context, event, method, route, provider, status, outcome, reason, duration_ms } = l;
      return { level, context, event, method, route, provider, status, outcome, reason, duration_ms, keys: Object.keys(l).sort() };
    });

  beforeAll(async () => {
    await Promise.all([sd.start(), failing.start(), passportal.start(), portfoleon.start()]);
    failing.fault = { mode: 'status', status: 503 };
    broker = await startBroker({
      providersYaml: `providers:
  sd: { type: smartdocumentor, baseUrl: "${sd.url}" }
  down: { type: smartdocumentor, baseUrl: "${failing.url}" }
  refused: { type: smartdocumentor, baseUrl: "${sd.url}" }
  passportal: { type: passportal, baseUrl: "${passportal.url}" }
  portfoleon: { type: portfoleon, baseUrl: "${portfoleon.url}" }
`,
      logDestination: { write: (line: string) => void lines.push(line) },
    });

    await putCredentials(broker, 'sd', { client_id: SD.clientId, client_secret: SD.clientSecret });
    await putCredentials(broker, 'down', { client_id: SD.clientId, client_secret: SD.clientSecret });
    await putCredentials(broker, 'refused', { client_id: SD.clientId, client_secret: `${SD.clientSecret}-revoked` });
    await putCredentials(broker, 'passportal', { key_id: PASSPORTAL.keyId, secret_key: PASSPORTAL.secretKey });
    await putCredentials(broker, 'portfoleon', { api_key: TEST_SECRETS.portfoleonApiKey });
    for (const provider of ['sd', 'passportal', 'portfoleon'])
      issued.push((await getToken(broker, provider).expect(200)).body.access_token);
    await getToken(broker, 'down').expect(503);
    await getToken(broker, 'refused').expect(503);
    await request(broker.url).post('/tokens/sd/refresh').set(admin).expect(200);
    issued.push((await getToken(broker, 'sd').expect(200)).body.access_token);
    // secrets where they do not belong: an unknown field, a query string, a wrong admin token
    await request(broker.url)
      .put('/admin/credentials/sd')
      .set(admin)
      .send({ client_id: 'x', client_secret: SD.clientSecret, password: SD.clientSecret })
      .expect(400);
    await request(broker.url).get(`/tokens/sd?client_secret=${SD.clientSecret}`).set('authorization', `Bearer ${CALLER_KEY}`).expect(200);
    await request(broker.url).get('/admin/credentials/sd').set('authorization', `Bearer ${TEST_SECRETS.vaultClientSecret}`).expect(401);
    await waitFor(() => parsed().some((l) => l.event === 'refresh' && l.provider === 'down'));
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all([sd.stop(), failing.stop(), passportal.stop(), portfoleon.stop()]);
  });

  it('writes only JSON lines, and none holds a secret, a caller key, the admin token or an issued token', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = lines.join('');
    const leaks = [...Object.entries(TEST_SECRETS), ...issued.map((token, i) => [`issued token ${i}`, token])].filter(([, secret]) =>
      all.includes(secret),
    );
    // names only: a failure message must not print the secrets it found
    expect(leaks.map(([name]) => name)).toEqual([]);
  });

  it('writes one line per request with method, route, provider, status and duration, and no headers', () => {
    const requests = safeFields().filter((l) => l.context === 'Http');
    expect(requests).toContainEqual(
      expect.objectContaining({
        level: 'info',
        context: 'Http',
        method: 'GET',
        route: '/tokens/:provider',
        provider: 'sd',
        status: 200,
        duration_ms: expect.any(Number),
      }),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({ method: 'POST', route: '/tokens/:provider/refresh', provider: 'sd', status: 200 }),
    );
    expect(requests).toContainEqual(expect.objectContaining({ level: 'warn', route: '/tokens/:provider', provider: 'down', status: 503 }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'PUT', route: '/admin/credentials/:provider', status: 400 }));
    const allowed = ['context', 'duration_ms', 'level', 'method', 'msg', 'provider', 'reqId', 'route', 'status', 'time'];
    const audit = ['event', 'caller', 'token_fingerprint', 'expires_at']; // on the lines of tokens handed out
    for (const line of requests) {
      expect(line.keys).toEqual(expect.arrayContaining(['duration_ms', 'method', 'reqId', 'route', 'status']));
      expect(line.keys.filter((key) => !allowed.includes(key) && !audit.includes(key))).toEqual([]);
    }
  });

  it('writes one line per refresh with provider, outcome and duration', () => {
    const refreshes = safeFields().filter((l) => l.event === 'refresh');
    expect(refreshes).toContainEqual(
      expect.objectContaining({
        provider: 'sd',
        outcome: 'ok',
        duration_ms: expect.any(Number),
        keys: expect.arrayContaining(['expires_at']),
      }),
    );
    expect(refreshes).toContainEqual(
      expect.objectContaining({ level: 'warn', provider: 'down', outcome: 'failing', reason: expect.any(String) }),
    );
    expect(refreshes).toContainEqual(expect.objectContaining({ level: 'error', provider: 'refused', outcome: 'reauthorization_required' }));
  });

  it('routes the existing Nest logger calls through pino with their context', () => {
    expect(safeFields()).toContainEqual(expect.objectContaining({ context: 'Http', event: 'token_issued', provider: 'sd' }));
    expect(safeFields()).toContainEqual(expect.objectContaining({ context: 'TokenRefresher' }));
  });
});
