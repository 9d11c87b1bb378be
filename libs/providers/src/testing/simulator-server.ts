import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * Faults any simulator can be told to produce, to test how the broker copes with a misbehaving
 * upstream. `none` runs the provider's real contract.
 */
export type SimulatorFault =
  | { mode: 'none' }
  /** `body` replaces the default `{"error": "simulated_failure"}`, e.g. with text an upstream should never get to repeat. */
  | { mode: 'status'; status: number; retryAfterSeconds?: number; body?: unknown }
  /** An HTML error page, as a proxy in front of the upstream answers (502 unless told). */
  | { mode: 'html'; status?: number }
  | { mode: 'empty' }
  | { mode: 'truncated-json' }
  | { mode: 'no-token' }
  | { mode: 'huge' }
  | { mode: 'hang' }
  | { mode: 'delay'; ms: number };

export interface SimulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface SimulatorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of `body` as JSON: for answers that are not JSON, whatever they claim. */
  raw?: string;
}

export interface SimulatorOptions {
  port?: number;
  /** Scales the provider's documented token lifetime down for tests. */
  tokenLifetimeSeconds?: number;
}

/** A strict local HTTP stand-in for one upstream token API, on a loopback port. */
export abstract class SimulatorServer {
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();
  fault: SimulatorFault = { mode: 'none' };
  /** Every request that reached the provider logic (faults excluded). */
  readonly calls: SimulatorRequest[] = [];
  /** Every request received, faults included. */
  received = 0;
  url = '';

  protected abstract handle(request: SimulatorRequest): SimulatorReply | Promise<SimulatorReply>;

  /** `host` other than loopback only for the docker compose demo, where the broker is another container. */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject); // e.g. the port is taken: say so instead of crashing
      this.server!.listen(port, host, resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Calls that reached `path`. */
  callsTo(path: string): SimulatorRequest[] {
    return this.calls.filter((call) => call.path === path);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.received += 1;
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const fault = this.fault;
    if (fault.mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (fault.mode === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const faulty = faultReply(fault);
    if (faulty) return send(res, faulty);
    const request = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    this.calls.push(request);
    try {
      send(res, await this.handle(request));
    } catch (error) {
      send(res, { status: 500, body: { error: 'simulator_error', message: (error as Error).message } });
    }
  }
}

function faultReply(fault: SimulatorFault): SimulatorReply | undefined {
  switch (fault.mode) {
    case 'status':
      return {
        status: fault.status,
        body: fault.body ?? { error: 'simulated_failure' },
        headers: fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
      };
    case 'html': {
      const status = fault.status ?? 502;
      const raw = `<html><body><h1>${status} Error</h1></body></html>`;
      return { status, body: undefined, raw, headers: { 'content-type': 'text/html' } };
    }
    case 'empty':
      return { status: 200, body: undefined };
    case 'truncated-json':
      return { status: 200, body: undefined, raw: '{"success": true, "access_token": "' };
    case 'no-token':
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3600 } };
    case 'huge':
      return { status: 200, body: { access_token: 'x'.repeat(10 * 1024 * 1024) } };
    default:
      return undefined;
  }
}

function send(res: ServerResponse, reply: SimulatorReply): void {
  const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
