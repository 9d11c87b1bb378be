import { connect } from 'node:net';
import type { FuzzAnswer } from './fuzz-answers';
import type { RawCase } from './fuzz-raw-requests';

export interface RawOutcome {
  answers: FuzzAnswer[];
  /** Bytes after the last whole answer: an answer cut off. */
  leftover: number;
  /** The connection was still open when the client gave up waiting. */
  timedOut: boolean;
  ms: number;
}

/** Writes a raw case on a fresh connection and reads its answers until there is one per request or the broker closes it. */
export function sendRaw(port: number, rawCase: RawCase, waitMs: number, localAddress = '127.0.0.1'): Promise<RawOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, waitMs);
    socket.on('connect', () => {
      for (const chunk of rawCase.chunks) socket.write(chunk);
      if (rawCase.end) socket.end();
    });
    const methods = rawCase.requests.map((asked) => asked.method);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (parseAnswers(Buffer.concat(received), methods).answers.length >= methods.length) socket.destroy();
    });
    socket.on('error', () => undefined); // a reset after an answer is how some refusals end
    socket.once('close', () => {
      clearTimeout(timer);
      const { answers, leftover } = parseAnswers(Buffer.concat(received), methods);
      resolve({ answers, leftover, timedOut, ms: Date.now() - started });
    });
  });
}

/** Splits a byte stream into HTTP/1.1 answers (interim 1xx skipped; content-length or chunked bodies). */
export function parseAnswers(data: Buffer, methods: string[]): { answers: FuzzAnswer[]; leftover: number } {
  const answers: FuzzAnswer[] = [];
  let at = 0;
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine, ...lines] = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    if (Number.isNaN(status)) break;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let next = headEnd + 4;
    if (status >= 100 && status < 200) {
      at = next;
      continue;
    }
    const bodyless = methods[answers.length] === 'HEAD' || status === 204 || status === 304;
    let body = '';
    if (!bodyless && /chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const decoded = decodeChunked(data, next);
      if (!decoded) break;
      [body, next] = decoded;
    } else if (!bodyless) {
      const length = Number(headers['content-length'] ?? 0);
      if (next + length > data.length) break;
      body = data.subarray(next, next + length).toString('utf8');
      next += length;
    }
    answers.push({ status, headers, body });
    at = next;
  }
  return { answers, leftover: data.length - at };
}

function decodeChunked(data: Buffer, from: number): [string, number] | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    at = lineEnd + 2;
    if (size === 0) {
      const end = data.indexOf('\r\n\r\n', at - 2);
      return end < 0 ? undefined : [Buffer.concat(parts).toString('utf8'), end + 4];
    }
    if (at + size + 2 > data.length) return undefined;
    parts.push(data.subarray(at, at + size));
    at += size + 2;
  }
}
