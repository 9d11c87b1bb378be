import { IncomingHttpHeaders, STATUS_CODES, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import request from 'supertest';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { ADMIN_TOKEN, BrokerHarness, CALLER_KEY, callersYaml, getToken, putCredentials, startBroker } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
const LIMITED_KEY = 'tbk_limited-caller-key-77';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Who may fetch which token, the audit trail, abuse limits and hostile input on the admin API. */
describe('caller authentication, audit and abuse limits', () => {
  const simulator = new SmartDocumentorSimulator(DEMO);
  let broker: BrokerHarness;
  let output = '';
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    await simulator.start();
    broker = await startBroker({
      providersYaml: `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n  other: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`,
      callersYaml: callersYaml({ 'test-caller': { key: CALLER_KEY, allow: '*' }, 'sd-only': { key: LIMITED_KEY, allow: ['sd'] } }),
      env: { CALLER_RATE_LIMIT: '25' },
    });
    await putCredentials(broker, 'sd', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    const write = process.stdout.write.bind(process.stdout);
    spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string, ...rest: []) => {
      output += String(chunk);
      return write(chunk, ...rest);
    }) as typeof process.stdout.write);
  });

  afterAll(async () => {
    spy?.mockRestore();
    await broker?.close();
    await simulator.stop();
  });

  it.each([
    ['no Authorization header', undefined],
    ['a Basic header', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['an unknown key', 'Bearer tbk_not-a-known-key'],
    ['a 10 KB key', `Bearer ${'k'.repeat(10_000)}`],
  ])('answers 401 for %s, with WWW-Authenticate', async (_case, authorization) => {
    const call = request(broker.url).get('/tokens/sd');
    const res = await (authorization ? call.set('authorization', authorization) : call).expect(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: expect.stringContaining('caller key') });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 403 when a known caller asks for a provider it is not allowed', async () => {
    await getToken(broker, 'sd', '', LIMITED_KEY).expect(200);
    const res = await getToken(broker, 'other', '', LIMITED_KEY).expect(403);
    expect(res.body).toEqual({ error: 'forbidden', message: 'Caller "sd-only" may not fetch tokens for "other"' });
  });

  describe('input that failed validation is never echoed', () => {
    it.each([
      ['NUL bytes', 'other%00%01injected'],
      ['markup', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
      ['an oversize id', 'x'.repeat(300)],
    ])('answers 400 to an allow-listed caller asking for a provider id with %s, without repeating it', async (_case, raw) => {
      const res = await getToken(broker, raw, '', LIMITED_KEY).expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', message: expect.stringContaining('Provider id must be') });
      expect(res.text).not.toMatch(/other|injected|script|xxxxxxxx|\\u0000/);
    });

    it('answers a malformed URL with fixed text', async () => {
      const res = await request(broker.url).get(`/providers/${TEST_SECRETS.wrongSecret}%ZZ`).expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', message: 'Bad request' });
    });

    it.each([
      ['unparsable HTTP', `GET /${TEST_SECRETS.wrongSecret} HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`, 400, 'invalid_request'],
      ['oversized headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
    ])('answers %s in the usual shape, quoting nothing', async (_case, raw, status, code) => {
      const answer = await rawSocketExchange(broker.url, raw);
      expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${STATUS_CODES[status]}`);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: code, message: expect.any(String) });
      expect(answer).not.toContain(TEST_SECRETS.wrongSecret);
    });
  });

  describe('HEAD on the token route', () => {
    it('answers 405 with Allow: GET, neither refreshing nor auditing', async () => {
      const callsBefore = simulator.calls.length;
      // minTtl just under the lifetime: a GET would refresh now
      const res = await request(broker.url)
        .head('/tokens/sd?minTtl=3599')
        .set('authorization', `Bearer ${CALLER_KEY}`)
        .set('x-request-id', 'req-head-1')
        .expect(405);
      expect(res.headers.allow).toBe('GET');
      await request(broker.url).head('/tokens/sd').expect(405);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(simulator.calls.length).toBe(callsBefore);
      expect(logLines(output).filter((l) => l.reqId === 'req-head-1' && l.event === 'token_issued')).toEqual([]);
    });

    it('still answers HEAD on read-only routes', async () => {
      await request(broker.url).head('/health/live').expect(200);
    });
  });

  describe('Authorization header parsing', () => {
    it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme spelled %s, for callers and admin', async (scheme) => {
      await request(broker.url).get('/tokens/sd').set('authorization', `${scheme} ${CALLER_KEY}`).expect(200);
      await request(broker.url).get('/admin/credentials/sd').set('authorization', `${scheme} ${ADMIN_TOKEN}`).expect(200);
    });

    it('accepts more than one space after the scheme (RFC 9110 1*SP)', async () => {
      await request(broker.url).get('/tokens/sd').set('authorization', `Bearer  ${CALLER_KEY}`).expect(200);
    });

    it.each([
      ['two right keys', [`Bearer ${CALLER_KEY}`, `Bearer ${CALLER_KEY}`], '/tokens/sd'],
      ['a right key and a wrong one', [`Bearer ${CALLER_KEY}`, 'Bearer tbk_other'], '/tokens/sd'],
      ['two admin tokens', [`Bearer ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}`], '/admin/credentials/sd'],
    ])('answers 400 to two Authorization headers (%s)', async (_case, values, path) => {
      const res = await rawRequest(broker.url, 'GET', path, { authorization: values });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ error: 'invalid_request', message: 'Send exactly one Authorization header' });
    });
  });

  it('writes one line per token handed out, with the audit fields and a fingerprint, never the token', async () => {
    const res = await getToken(broker, 'sd').set('x-request-id', 'req-audit-1').expect(200);
    expect(res.headers['x-request-id']).toBe('req-audit-1');
    await new Promise((resolve) => setImmediate(resolve)); // the line is written once the answer has gone
    const lines = logLines(output).filter((l) => l.reqId === 'req-audit-1');
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request',
        status: 200,
        event: 'token_issued',
        caller: 'test-caller',
        provider: 'sd',
        token_fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
        expires_at: res.body.expires_at,
      }),
    ]);
    expect(output).not.toContain(res.body.access_token);
  });

  it('replaces an unsafe request id and sets security headers', async () => {
    const res = await getToken(broker, 'sd').set('x-request-id', 'bad id with spaces').expect(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
  });

  describe('every answer carries the security headers and its request id, whatever produced it', () => {
    const SECURITY = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };
    it.each([
      [
        'a token',
        `GET /tokens/sd HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${CALLER_KEY}\r\nX-Request-Id: edge-1\r\nConnection: close\r\n\r\n`,
        200,
      ],
      ['a domain error', 'GET /tokens/sd HTTP/1.1\r\nHost: x\r\nX-Request-Id: edge-2\r\nConnection: close\r\n\r\n', 401],
      ['an unknown route', 'GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-Id: edge-3\r\nConnection: close\r\n\r\n', 404],
      ['a URL Fastify cannot route', 'GET /providers/%ZZ HTTP/1.1\r\nHost: x\r\nX-Request-Id: edge-4\r\nConnection: close\r\n\r\n', 400],
      ['HEAD on the token route', 'HEAD /tokens/sd HTTP/1.1\r\nHost: x\r\nX-Request-Id: edge-5\r\nConnection: close\r\n\r\n', 405],
      ['a request without Host', 'GET /health/live HTTP/1.1\r\nX-Request-Id: edge-6\r\nConnection: close\r\n\r\n', 400],
      ['a controller', 'GET /admin/credentials/sd HTTP/1.1\r\nHost: x\r\nX-Request-Id: edge-7\r\nConnection: close\r\n\r\n', 401],
    ])('%s', async (_case, raw, status) => {
      const answer = await rawSocketExchange(broker.url, raw, { keepWriting: true });
      const [statusLine, ...headerLines] = answer.slice(0, answer.indexOf('\r\n\r\n')).split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      expect(statusLine).toBe(`HTTP/1.1 ${status} ${STATUS_CODES[status]}`);
      expect(headers).toMatchObject({ ...SECURITY, 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" });
      expect(headers['x-request-id']).toMatch(/^edge-\d$/);
    });

    it('lets a route that needs another policy set its own', async () => {
      const page = await request(broker.url).get('/').expect(200);
      expect(page.headers['content-security-policy']).toContain("style-src 'unsafe-inline'");
      const docs = await request(broker.url).get('/docs/').expect(200);
      expect(docs.headers['content-security-policy']).toContain("default-src 'self'");
      expect(docs.headers).toMatchObject(SECURITY);
    });
  });

  it('audits admin writes with the admin as caller', async () => {
    await request(broker.url)
      .put('/admin/credentials/sd')
      .set(admin)
      .set('x-request-id', 'req-admin-1')
      .send({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret })
      .expect(204);
    expect(logLines(output)).toContainEqual(
      expect.objectContaining({
        context: 'Audit',
        event: 'credentials_written',
        caller: 'admin',
        provider: 'sd',
        reqId: 'req-admin-1',
      }),
    );
  });

  describe('hostile admin input changes nothing and the broker keeps serving', () => {
    it.each([
      ['malformed JSON', (r: request.Test) => r.set('content-type', 'application/json').send('{"client_id": "x",'), 400, 'invalid_request'],
      ['oversized JSON', (r: request.Test) => r.send({ client_id: 'x', client_secret: 'y'.repeat(100_000) }), 413, 'payload_too_large'],
      ['unknown fields', (r: request.Test) => r.send({ client_id: 'x', client_secret: 'y', extra: 'z' }), 400, 'invalid_credentials'],
      ['a JSON array', (r: request.Test) => r.send([1, 2]), 400, 'invalid_credentials'],
      [
        'a wrong admin token',
        (r: request.Test) => r.set('authorization', 'Bearer wrong-admin-token-xyz').send({ client_id: 'x', client_secret: 'y' }),
        401,
        'unauthorized',
      ],
    ])('%s', async (_case, send, status, code) => {
      const before = (await request(broker.url).get('/admin/credentials/sd').set(admin).expect(200)).body.version;
      const res = await send(request(broker.url).put('/admin/credentials/sd').set(admin)).expect(status);
      expect(res.body.error).toBe(code);
      expect((await request(broker.url).get('/admin/credentials/sd').set(admin).expect(200)).body.version).toBe(before);
      await getToken(broker, 'sd').expect(200);
    });
  });

  // the broker answers as soon as the limit is passed, while the client may still be sending
  it.each([
    ['with its length announced', { 'content-length': String(16 * 1024 * 1024) }],
    ['chunked', { 'transfer-encoding': 'chunked' }],
  ])('answers a 16 MB admin body sent %s with a 413 the client reads, not a reset', async (_case, framing) => {
    const headers = { ...admin, 'content-type': 'application/json', ...framing };
    const res = await rawRequest(broker.url, 'PUT', '/admin/credentials/sd', headers, 'x'.repeat(16 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: 'payload_too_large', message: 'Request body is too large' });
    await getToken(broker, 'sd').expect(200);
  });

  describe('admin bodies are JSON only, and no validation message quotes what was sent', () => {
    const secret = TEST_SECRETS.wrongSecret;
    const json = JSON.stringify({ client_id: DEMO.clientId, client_secret: secret });
    it.each([
      ['JSON sent as a form body (curl -d without a content type)', 'application/x-www-form-urlencoded', json],
      ['a form body', 'application/x-www-form-urlencoded', `client_id=${DEMO.clientId}&client_secret=${secret}`],
      ['JSON as text/plain', 'text/plain', json],
      ['JSON as multipart', 'multipart/form-data; boundary=x', `--x\r\ncontent-disposition: form-data; name="a"\r\n\r\n${secret}\r\n--x--`],
      ['a JSON-like vendor type', 'application/vnd.custom+json', json],
    ])('refuses %s with 415', async (_case, type, body) => {
      const before = (await request(broker.url).get('/admin/credentials/sd').set(admin).expect(200)).body.version;
      const res = await request(broker.url).put('/admin/credentials/sd').set(admin).set('content-type', type).send(body).expect(415);
      expect(res.body).toEqual({ error: 'unsupported_media_type', message: 'Send the body as application/json' });
      expect(res.text).not.toContain(secret);
      expect((await request(broker.url).get('/admin/credentials/sd').set(admin).expect(200)).body.version).toBe(before);
    });

    it('refuses a body without a content type with 415', async () => {
      const res = await rawRequest(
        broker.url,
        'PUT',
        '/admin/credentials/sd',
        { authorization: admin.authorization, 'content-length': String(json.length) },
        json,
      );
      expect(res.status).toBe(415);
      expect(res.body).not.toContain(secret);
    });

    it('accepts application/json with a charset', async () => {
      await request(broker.url)
        .put('/admin/credentials/sd')
        .set(admin)
        .set('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret }))
        .expect(204);
    });

    it('names accepted fields but never an unknown field or a value', async () => {
      const res = await request(broker.url)
        .put('/admin/credentials/sd')
        .set(admin)
        .send({ client_id: DEMO.clientId, client_secret: 7, [secret]: secret })
        .expect(400);
      expect(res.body).toEqual({
        error: 'invalid_credentials',
        message: expect.stringContaining('accepted fields: client_id, client_secret'),
      });
      expect(res.body.message).toContain('client_secret must be a string');
      expect(res.text).not.toContain(secret);
    });
  });

  it('rate limits each caller separately with 429 rate_limited and Retry-After', async () => {
    let limited: request.Response | undefined;
    for (let i = 0; i < 30 && !limited; i += 1) {
      const res = await getToken(broker, 'sd', '', LIMITED_KEY);
      if (res.status === 429) limited = res;
    }
    expect(limited?.body).toEqual({ error: 'rate_limited', message: expect.any(String) });
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    await getToken(broker, 'sd').expect(200); // other callers are unaffected
  });
});

describe('without a callers file', () => {
  it('refuses every token call and says how to add a caller', async () => {
    const broker = await startBroker({
      providersYaml: 'providers:\n  sd: { type: smartdocumentor }\n',
      env: { CALLERS_FILE: '/nonexistent/callers.yaml' },
    });
    try {
      const res = await getToken(broker, 'sd').expect(401);
      expect(res.body.message).toContain('npm run cli -- callers new');
    } finally {
      await broker.close();
    }
  });
});

/** A request exactly as given (supertest adds a content type to any body); answers status and body text. */
function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes `raw` on a fresh connection and collects everything the broker answers until it closes. */
/** `keepWriting`: the socket stays open for writing, so a request answered asynchronously gets its answer. */
function rawSocketExchange(url: string, raw: string, { keepWriting = false } = {}): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), '127.0.0.1', () => (keepWriting ? socket.write(raw) : socket.end(raw)));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(answer) : reject(error)));
  });
}

/** The broker's JSON log lines among everything written to stdout. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
