import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerProcess } from './support/broker-process';
import { ADMIN_TOKEN, CALLER_KEY, callersYaml } from './support/broker-harness';
import { freePort } from './support/redis-server';
import { TEST_SECRETS } from './support/test-secrets';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
/** The broker runs with this open-file limit, so a few hundred connections exhaust it as 20,000 would in production. */
const OPEN_FILE_LIMIT = 256;
const IDLE_CONNECTIONS = 400;

/** Idle, slow and excess connections against a real broker process, with real sockets. */
describe('connection limits and timeouts', () => {
  const simulator = new SmartDocumentorSimulator(DEMO);
  const dir = mkdtempSync(join(tmpdir(), 'tb-connections-'));
  let broker: BrokerProcess;
  const idle: Socket[] = [];

  beforeAll(async () => {
    await simulator.start();
    writeFileSync(join(dir, 'providers.yaml'), `providers:\n  sd: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`);
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    const env = {
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CREDENTIALS_FILE: join(dir, 'credentials.enc'),
      BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'debug',
    };
    broker = new BrokerProcess(await freePort(), env, { openFileLimit: OPEN_FILE_LIMIT });
    await broker.start();
    const seeded = await send(
      broker.port,
      'PUT',
      '/admin/credentials/sd',
      { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      JSON.stringify({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret }),
    );
    expect(seeded.status).toBe(204);
  });

  afterAll(async () => {
    for (const socket of idle) socket.destroy();
    await broker?.kill();
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`serves callers while ${IDLE_CONNECTIONS} idle connections exceed the open-file limit, and says so once`, async () => {
    idle.push(...(await openIdleConnections(broker.port, IDLE_CONNECTIONS)));
    for (let i = 0; i < 10; i += 1) {
      const res = await send(broker.port, 'GET', '/tokens/sd', { authorization: `Bearer ${CALLER_KEY}` });
      expect(res.status).toBe(200);
    }
    // a second wave while callers keep coming
    const wave = openIdleConnections(broker.port, IDLE_CONNECTIONS);
    const during = await Promise.all(
      Array.from({ length: 10 }, () => send(broker.port, 'GET', '/tokens/sd', { authorization: `Bearer ${CALLER_KEY}` })),
    );
    idle.push(...(await wave));
    expect(during.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(broker.output.split('\n').filter((line) => line.includes('connections open (the limit'))).toHaveLength(1);
  });

  it('closes a slow-header connection (408) and a silent one within a few seconds', async () => {
    const [slow, silent] = await Promise.all([
      timeUntilClosed(broker.port, (socket) => {
        socket.write('GET /health/live HTTP/1.1\r\nHost: broker\r\n');
        const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 500);
        socket.once('close', () => clearInterval(drip));
      }),
      timeUntilClosed(broker.port, () => undefined),
    ]);
    expect(slow.answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(slow.ms).toBeLessThan(8_000);
    expect(silent.ms).toBeLessThan(8_000);
  });

  it('closes a connection after 1,000 requests: every request it read is answered, none with a bare 503', async () => {
    const { answer } = await timeUntilClosed(broker.port, (socket) =>
      socket.write('GET /health/live HTTP/1.1\r\nHost: broker\r\n\r\n'.repeat(1_005)),
    );
    // pipelined answers follow each other's bodies directly: count status lines anywhere
    const statuses = answer.match(/HTTP\/1\.1 \d{3} [A-Za-z ]+/g) ?? [];
    expect(statuses).toHaveLength(1_000);
    expect(new Set(statuses)).toEqual(new Set(['HTTP/1.1 200 OK']));
    expect(answer.slice(answer.lastIndexOf('HTTP/1.1 ')).toLowerCase()).toContain('connection: close');
  });
});

/** Opens `count` connections that never send a byte; resolves once each is connected or refused. */
async function openIdleConnections(port: number, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => undefined); // shed connections are reset
          socket.once('connect', () => resolve(socket));
          socket.once('close', () => resolve(socket));
        }),
    ),
  );
}

/** A request on a fresh connection (no keep-alive pool): what a new caller experiences. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Connects, lets `behave` use the socket, and measures how long until the broker closes it. */
function timeUntilClosed(port: number, behave: (socket: Socket) => void): Promise<{ ms: number; answer: string }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => behave(socket));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve({ ms: Date.now() - started, answer }));
  });
}
