import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers: a status, or never (a dead webhook that accepts the connection). */
export type ReceiverMode = { answer: number } | 'hang';

export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
  answered: number | 'never';
}

/** A webhook endpoint on a loopback port that records every request it gets. */
export class WebhookReceiver {
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();
  readonly requests: ReceivedRequest[] = [];
  mode: ReceiverMode = { answer: 204 };
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.receive(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The parsed bodies of the requests it answered with 2xx, in arrival order. */
  delivered<T = Record<string, unknown>>(): T[] {
    return this.requests
      .filter((request) => typeof request.answered === 'number' && request.answered < 300)
      .map((request) => JSON.parse(request.body) as T);
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const mode = this.mode;
    const body = Buffer.concat(chunks).toString('utf8');
    const answered = mode === 'hang' ? 'never' : mode.answer;
    const contentType = req.headers['content-type'];
    this.requests.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', contentType, body, answered });
    if (answered === 'never') this.hanging.add(res);
    else res.writeHead(answered).end();
  }
}
