import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer, given instead of a token. */
export interface ScriptedAnswer {
  status: number;
  /** Sent as JSON; `raw` is sent as is instead (a proxy's HTML page, a broken body). */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export interface ReceivedRequest {
  path: string;
  minTtl: string | null;
  at: number;
}

/**
 * A local stand-in for the broker's `GET /tokens/:provider` contract, on 127.0.0.1: checks the
 * caller key, answers 422 for a minTtl longer than its tokens live, otherwise the next scripted
 * answer or a new token. Tokens have the shape the test run's log check looks for.
 */
export class FakeBroker {
  readonly requests: ReceivedRequest[] = [];
  /** Answers to give before any token, in order. */
  readonly script: ScriptedAnswer[] = [];
  tokenLifetimeSeconds = 3600;
  /** Delay before each answer, so concurrent calls overlap. */
  delayMs = 0;
  url = '';
  private server?: Server;
  private readonly delays = new Set<NodeJS.Timeout>();

  constructor(private readonly callerKey: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const delay of this.delays) clearTimeout(delay);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-broker');
    const minTtl = url.searchParams.get('minTtl');
    this.requests.push({ path: url.pathname, minTtl, at: Date.now() });
    if (this.delayMs > 0) await this.delay();
    const provider = /\/tokens\/([a-z0-9][a-z0-9_-]{0,62})$/.exec(url.pathname)?.[1];
    if (req.method !== 'GET' || !provider) return send(res, { status: 404, body: { error: 'not_found', message: 'No such route' } });
    if (req.headers.authorization !== `Bearer ${this.callerKey}`) {
      const body = { error: 'unauthorized', message: 'Unknown caller key' };
      return send(res, { status: 401, body, headers: { 'www-authenticate': 'Bearer' } });
    }
    if (Number(minTtl ?? 0) > this.tokenLifetimeSeconds) {
      return send(res, { status: 422, body: { error: 'min_ttl_unattainable', message: `minTtl ${minTtl} is longer than tokens live` } });
    }
    const scripted = this.script.shift();
    if (scripted) return send(res, scripted);
    send(res, { status: 200, body: this.issue(provider), headers: { 'cache-control': 'no-store' } });
  }

  /** Cancelled by stop(): an answer nobody waits for must not hold the test process open. */
  private delay(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, this.delayMs);
      this.delays.add(timer);
    });
  }

  private issue(provider: string): Record<string, unknown> {
    const lifetime = this.tokenLifetimeSeconds;
    return {
      provider,
      access_token: `sd-${randomBytes(12).toString('hex')}`,
      token_type: 'Bearer',
      expires_at: new Date(Date.now() + lifetime * 1000).toISOString(),
      expires_in: lifetime,
    };
  }
}

function send(res: ServerResponse, answer: ScriptedAnswer): void {
  const text = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
  res.writeHead(answer.status, { 'content-type': answer.raw ? 'text/html' : 'application/json', ...answer.headers }).end(text);
}
