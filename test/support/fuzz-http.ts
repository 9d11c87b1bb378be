import { Agent, request as httpRequest } from 'node:http';
import type { FuzzAnswer } from './fuzz-answers';
import type { FuzzRequest } from './fuzz-requests';

/** A keep-alive pool of `sockets` connections from one loopback address. */
export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'fifo' });
}

/** Sends one request; resolves with the answer, or with the client-side error's code when none came. */
export function send(
  port: number,
  agent: Agent,
  asked: FuzzRequest,
  localAddress: string,
  timeoutMs: number,
): Promise<FuzzAnswer | string> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: FuzzAnswer | string) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest(
        { host: '127.0.0.1', port, method: asked.method, path: asked.path, headers: asked.headers, agent, localAddress },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', () => settle('response_error'));
          res.on('end', () => settle({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
    } catch (error) {
      // the request was not sendable (a client-side check): nothing reached the broker
      return settle(`not_sent:${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      settle('client_timeout');
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle(`client_error:${error.code ?? error.message}`));
    req.end(asked.body);
  });
}
