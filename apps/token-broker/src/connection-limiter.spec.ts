import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { limitConnections } from './connection-limiter';

/** 102 descriptors, 100 of them reserved: two connections at most. */
const OPEN_FILE_LIMIT = 102;

describe('limitConnections', () => {
  let server: Server;
  let port: number;
  const held: (() => void)[] = [];

  beforeEach(async () => {
    // /slow answers when the test says so; anything else at once
    server = createServer((req, res) => (req.url === '/slow' ? held.push(() => res.end('slow')) : res.end('ok')));
    server.keepAliveTimeout = 60_000;
    limitConnections(server, OPEN_FILE_LIMIT);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    held.splice(0).forEach((release) => release());
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('closes a fresh connection before an idle keep-alive one, and never a busy one', async () => {
    const busy = get(port, '/slow');
    const keepAlive = await openSocket(port);
    await exchange(keepAlive, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'); // served, now idle
    await waitUntil(() => held.length === 1);

    const fresh = await openSocket(port); // at the limit: the idle keep-alive one goes
    await closed(keepAlive);
    const newest = await openSocket(port); // the fresh one goes before anything else
    await closed(fresh);
    expect(newest.destroyed).toBe(false);

    held[0]();
    expect(await busy).toBe('slow');
  });

  it('refuses a new connection only when every one is busy', async () => {
    const answers = [get(port, '/slow'), get(port, '/slow')];
    await waitUntil(() => held.length === 2);
    await closed(await openSocket(port));
    held.forEach((release) => release());
    expect(await Promise.all(answers)).toEqual(['slow', 'slow']);
  });
});

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => undefined);
  });
}

function exchange(socket: Socket, raw: string): Promise<void> {
  return new Promise((resolve) => {
    socket.once('data', () => resolve());
    socket.write(raw);
  });
}

function closed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}
