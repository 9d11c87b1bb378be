import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { UpstreamError } from '@app/errors';
import { UpstreamHttpClient } from './upstream-http-client';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A local upstream: each test sets what it answers; it records the paths asked and the connections opened. */
class LocalUpstream {
  handler: Handler = (_req, _body, res) => res.end('{}');
  readonly paths: string[] = [];
  readonly sockets: Socket[] = [];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      this.paths.push(req.url!);
      this.handler(req, body, res);
    });
  });

  constructor() {
    this.server.on('connection', (socket: Socket) => this.sockets.push(socket));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  start = () => new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  stop = () => {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  };
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as UpstreamError,
  );

describe('UpstreamHttpClient', () => {
  const upstream = new LocalUpstream();
  let client: UpstreamHttpClient;
  beforeAll(upstream.start);
  afterAll(upstream.stop);
  beforeEach(() => (client = new UpstreamHttpClient({ upstreamTimeoutMs: 300 })));
  afterEach(() => client.onApplicationShutdown());

  it('sends the method, headers and body, and returns status, content type, text and Retry-After', async () => {
    let seen: { method?: string; type?: string; length?: string; body?: string } = {};
    upstream.handler = (req, body, res) => {
      seen = { method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], body };
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' }).end('{"error":"slow_down"}');
    };
    const answer = await client.send('p', {
      method: 'POST',
      url: `${upstream.url}/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&name=%C3%BC',
    });
    expect(seen).toEqual({
      method: 'POST',
      type: 'application/x-www-form-urlencoded',
      length: '41',
      body: 'grant_type=client_credentials&name=%C3%BC',
    });
    expect(answer).toEqual({ status: 429, contentType: 'application/json', text: '{"error":"slow_down"}', retryAfterMs: 7000 });
  });

  it.each([
    ['declared', (res: ServerResponse) => res.writeHead(200, { 'content-length': 70_000 }).end('x'.repeat(70_000))],
    ['streamed', (res: ServerResponse) => res.end('x'.repeat(70_000))],
  ])('refuses a body over 64 KiB (%s) as a malformed answer', async (_how, answer) => {
    upstream.handler = (_req, _body, res) => answer(res);
    const failure = await failureOf(client.send('p', { method: 'GET', url: upstream.url }));
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ kind: 'transient', reason: 'malformed_response' });
  });

  it('gives up after the timeout, whether the answer never starts or never ends', async () => {
    upstream.handler = () => undefined;
    const silent = await failureOf(client.send('p', { method: 'POST', url: upstream.url, body: 'x' }));
    expect(silent).toMatchObject({ kind: 'transient', reason: 'timeout', message: 'Upstream did not answer within 300ms' });
    upstream.handler = (_req, _body, res) => res.writeHead(200).write('{"access_');
    const halfway = await failureOf(client.send('p', { method: 'GET', url: upstream.url }));
    expect(halfway).toMatchObject({ reason: 'timeout' });
  });

  it('names the network error when the upstream cannot be reached', async () => {
    const closed = new LocalUpstream();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const failure = await failureOf(client.send('p', { method: 'GET', url }));
    expect(failure).toMatchObject({ kind: 'transient', reason: 'network_error', message: 'Upstream could not be reached (ECONNREFUSED)' });
  });

  it('fails a URL it cannot call as an upstream error, like any other unreachable upstream', async () => {
    const failure = await failureOf(client.send('p', { method: 'GET', url: 'ftp://127.0.0.1/token' }));
    expect(failure).toMatchObject({
      kind: 'transient',
      reason: 'network_error',
      message: 'Upstream could not be reached (ERR_INVALID_PROTOCOL)',
    });
  });

  it('does not follow a redirect: the token request goes only where it was configured', async () => {
    upstream.paths.length = 0;
    upstream.handler = (req, _body, res) => res.writeHead(302, { location: `${upstream.url}/elsewhere` }).end();
    const failure = await failureOf(client.send('p', { method: 'POST', url: `${upstream.url}/token`, body: 'secret=s3cr3t' }));
    expect(failure).toMatchObject({ kind: 'transient', reason: 'http_302', details: { status: 302 } });
    expect(upstream.paths).toEqual(['/token']);
  });

  it('keeps the connection for the next call, and closes it on shutdown', async () => {
    upstream.handler = (_req, _body, res) => res.end('{}');
    const before = upstream.sockets.length;
    await client.send('p', { method: 'GET', url: upstream.url });
    await client.send('p', { method: 'GET', url: upstream.url });
    expect(upstream.sockets.length - before).toBe(1);
    const socket = upstream.sockets.at(-1)!;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    client.onApplicationShutdown();
    await closed;
  });
});
