import { METHODS } from 'node:http';
import { connect } from 'node:net';
import type { FuzzAnswer } from './fuzz-answers';
import { parseAnswers } from './fuzz-raw-socket';
import type { FuzzRequest } from './fuzz-requests';

/** Headers this big come near Node's 16 KiB limit (431). */
const ALONE_ABOVE_BYTES = 8 * 1024;

/**
 * Whether a request may make the broker close the connection: headers over Node's limit (431), a
 * method Node cannot parse (400), or a body Fastify refuses (it answers `connection: close`). The
 * broker, like Node, closes without reading what the client sent after (no lingering close,
 * RFC 9112 9.6), so the kernel resets the connection and the client can lose answers already sent.
 * Such a request goes on an otherwise idle connection, and nothing after it.
 */
function mayEndConnection(asked: FuzzRequest, bytes: Buffer): boolean {
  return asked.body !== undefined || bytes.length > ALONE_ABOVE_BYTES || !METHODS.includes(asked.method);
}

/** What a pipelined request met: its answer, or why none came. */
export type PipelineOutcome = FuzzAnswer | 'closed_without_answer' | 'client_timeout';

export interface PipelineSettings {
  port: number;
  localAddress: string;
  /** Requests written ahead of their answers on one connection. */
  depth: number;
  /** A connection with a request unanswered this long is given up. */
  timeoutMs: number;
}

/**
 * The request as HTTP/1.1 bytes, header values as Latin-1, and nothing refused: a client library
 * would not send some of these headers at all.
 */
export function requestBytes(asked: FuzzRequest): Buffer {
  const lines = [`${asked.method} ${asked.path} HTTP/1.1`, 'host: broker'];
  for (const [name, value] of Object.entries(asked.headers)) for (const each of [value].flat()) lines.push(`${name}: ${each}`);
  const body = asked.body === undefined ? undefined : Buffer.from(asked.body, 'utf8');
  if (body) lines.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

/**
 * Sends requests from `next` on keep-alive connections, `depth` at a time ahead of their answers,
 * until it runs dry; calls `judge` once per request, in order. When the broker ends a connection
 * after an answer saying `connection: close` (a request limit, an unparsable request), the
 * requests written after it were never read: they go again on a new connection. A connection that
 * closes with no such answer fails the request it was on.
 */
export async function runPipeline(
  settings: PipelineSettings,
  next: () => FuzzRequest | undefined,
  judge: (asked: FuzzRequest, outcome: PipelineOutcome) => void,
): Promise<void> {
  const again: FuzzRequest[] = [];
  for (;;) {
    const first = again.shift() ?? next();
    if (!first) return;
    again.unshift(first);
    await oneConnection(settings, () => again.shift() ?? next(), judge, again);
  }
}

function oneConnection(
  settings: PipelineSettings,
  take: () => FuzzRequest | undefined,
  judge: (asked: FuzzRequest, outcome: PipelineOutcome) => void,
  again: FuzzRequest[],
): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ port: settings.port, host: '127.0.0.1', localAddress: settings.localAddress });
    const inFlight: FuzzRequest[] = [];
    let received: Buffer = Buffer.alloc(0);
    let closing = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, settings.timeoutMs);
    let aloneInFlight = false;
    const fill = () => {
      while (!closing && !aloneInFlight && inFlight.length < settings.depth) {
        const asked = take();
        if (!asked) break;
        const bytes = requestBytes(asked);
        const alone = mayEndConnection(asked, bytes);
        if (alone && inFlight.length > 0) {
          again.unshift(asked);
          aloneInFlight = true;
          break;
        }
        aloneInFlight = alone;
        inFlight.push(asked);
        socket.write(bytes);
      }
      if (inFlight.length === 0) socket.end();
    };
    socket.on('connect', fill);
    socket.on('data', (chunk: Buffer) => {
      received = received.length ? Buffer.concat([received, chunk]) : chunk;
      const { answers, leftover } = parseAnswers(
        received,
        inFlight.map((asked) => asked.method),
      );
      received = received.subarray(received.length - leftover);
      for (const answer of answers) {
        judge(inFlight.shift()!, answer);
        if (inFlight.length === 0) aloneInFlight = false;
        if (String(answer.headers.connection).toLowerCase() === 'close') closing = true;
      }
      if (answers.length > 0) timer.refresh();
      fill();
    });
    socket.on('error', () => undefined); // the close that follows says what happened
    socket.once('close', () => {
      clearTimeout(timer);
      const unanswered = inFlight.splice(0);
      if (!closing && unanswered.length > 0) judge(unanswered.shift()!, timedOut ? 'client_timeout' : 'closed_without_answer');
      again.unshift(...unanswered);
      resolve();
    });
  });
}
