import { routeClassOf, type AskedFor } from './fuzz-answers';
import type { FuzzRandom } from './fuzz-random';
import { KEYS } from './fuzz-world';

/** Bytes an HTTP client library would refuse to send, written to a raw socket. */
export interface RawCase {
  kind: string;
  /** Written in order, each as its own write (so a request may arrive in pieces). */
  chunks: Buffer[];
  /** The requests written, in order (HEAD answers have no body; a token answer is judged as one). */
  requests: AskedFor[];
  /**
   * Half-close after writing. Node drops the answers it still owes a client that half-closes, so
   * only cases that may go unanswered do; the others wait for every answer, or for the broker to close.
   */
  end: boolean;
  /** A request cut short, or one sent by a client that half-closed, may be closed without an answer. */
  mayGoUnanswered?: boolean;
  /** The first answer's status, when the case has one right answer. */
  expect?: number;
}

const CRLF = '\r\n';
const host = `Host: broker${CRLF}`;
const caller = `Authorization: Bearer ${KEYS.fuzz}${CRLF}`;
const admin = `Authorization: Bearer ${KEYS.admin}${CRLF}`;

/** What a request line asks for, as far as judging its answer goes. */
function askedBy(text: string): AskedFor {
  const [method = '', target = ''] = text.split('\r\n')[0].split(' ').filter(Boolean);
  // absolute-form (`GET http://host/path`) asks for the path
  const path = target.replace(/^[a-z]+:\/\/[^/]*/i, '');
  return { method, path, routeClass: routeClassOf(path) };
}

const simple = (kind: string, text: string, extra: Partial<RawCase> = {}): RawCase => ({
  kind,
  chunks: [Buffer.from(text, 'latin1')],
  requests: [askedBy(text)],
  end: false,
  ...extra,
});

/** One random malformed, oversized, duplicated, pipelined or half-sent request. */
export function rawCase(rng: FuzzRandom): RawCase {
  const made = rng.weighted<() => RawCase>([
    [
      8,
      () =>
        simple(
          'bad-header-name',
          `GET /tokens/flaky HTTP/1.1${CRLF}${host}${rng.pick(['X Bad', 'X-Bad\x01', 'X(y)', ':x', 'X-\xdc', 'X\x7f'])}: 1${CRLF}${CRLF}`,
          { expect: 400 },
        ),
    ],
    [
      8,
      () =>
        simple(
          'bad-header-value',
          `GET /tokens/flaky HTTP/1.1${CRLF}${host}${caller}X-V: a${rng.pick(['\x00', '\x7f', '\x01', '\rb', '\x0b'])}b${CRLF}${CRLF}`,
          { expect: 400 },
        ),
    ],
    [
      8,
      () =>
        simple(
          'duplicate-authorization',
          `GET /tokens/flaky HTTP/1.1${CRLF}${host}${caller}${rng.pick(['authorization', 'AUTHORIZATION', 'Authorization'])}: ${rng.pick([`Bearer ${KEYS.fuzz}`, 'Bearer other', 'Basic eA==', ''])}${CRLF}${CRLF}`,
          { expect: 400 },
        ),
    ],
    [8, absurdLength(rng)],
    [6, badChunked(rng)],
    [
      5,
      () =>
        simple(
          'huge-header',
          `GET /tokens/flaky HTTP/1.1${CRLF}${host}X-Big: ${'b'.repeat(rng.pick([17_000, 70_000, 1_000_000]))}${CRLF}${CRLF}`,
          { expect: 431, end: true, mayGoUnanswered: true },
        ),
    ],
    [
      3,
      () =>
        simple(
          'many-headers',
          `GET /health/live HTTP/1.1${CRLF}${host}${Array.from({ length: rng.pick([200, 2_000]) }, (_, i) => `X-H${i}: ${'v'.repeat(20)}${CRLF}`).join('')}${CRLF}`,
        ),
    ],
    [
      3,
      () =>
        simple('huge-url', `GET /tokens/${'a'.repeat(rng.pick([5_000, 20_000, 100_000]))} HTTP/1.1${CRLF}${host}${caller}${CRLF}`, {
          end: true,
          mayGoUnanswered: true,
        }),
    ],
    [
      10,
      () => {
        const line = requestLine(rng);
        // blank lines are no request: nothing to answer
        return simple('request-line', line, line.startsWith(CRLF) ? { end: true, mayGoUnanswered: true } : {});
      },
    ],
    [3, () => simple('bare-lf', `GET /health/live HTTP/1.1\n${host.trim()}\n\n`)],
    [14, pipelined(rng)],
    [8, halfSent(rng)],
    [
      4,
      () =>
        simple(
          'expect',
          `PUT /admin/credentials/spare HTTP/1.1${CRLF}${host}${admin}Content-Type: application/json${CRLF}Content-Length: 2${CRLF}Expect: ${rng.pick(['100-continue', 'something-else'])}${CRLF}${CRLF}{}`,
        ),
    ],
    [
      3,
      () =>
        simple(
          'upgrade',
          `GET /tokens/flaky HTTP/1.1${CRLF}${host}${caller}Connection: Upgrade${CRLF}Upgrade: ${rng.pick(['websocket', 'h2c', 'x'])}${CRLF}${CRLF}`,
        ),
    ],
  ]);
  return made();
}

function requestLine(rng: FuzzRandom): string {
  return rng.pick([
    `GARBAGE${CRLF}${CRLF}`,
    `GET / HTTP/9.9${CRLF}${host}${CRLF}`,
    `GET /tokens/flaky HTTP/1.1${CRLF}${caller}${CRLF}`,
    `GET http://evil.example/tokens/flaky HTTP/1.1${CRLF}${host}${caller}${CRLF}`,
    `GET http://broker/admin/credentials/flaky HTTP/1.1${CRLF}${host}${CRLF}`,
    `GET * HTTP/1.1${CRLF}${host}${CRLF}`,
    `GET /tokens/fla\x00ky HTTP/1.1${CRLF}${host}${caller}${CRLF}`,
    `GET /tokens/fl\xe4ky HTTP/1.1${CRLF}${host}${caller}${CRLF}`,
    `GET /tokens/\xc3\xa9 HTTP/1.1${CRLF}${host}${caller}${CRLF}`,
    `FUZZ /tokens/flaky HTTP/1.1${CRLF}${host}${CRLF}`,
    `get /health/live HTTP/1.1${CRLF}${host}${CRLF}`,
    `GET  /health/live  HTTP/1.1${CRLF}${host}${CRLF}`,
    ` GET /health/live HTTP/1.1${CRLF}${host}${CRLF}`,
    `GET /tok\tens HTTP/1.1${CRLF}${host}${CRLF}`,
    `GET /health/live HTTP/1.0${CRLF}${CRLF}`,
    `PRI * HTTP/2.0${CRLF}${CRLF}SM${CRLF}${CRLF}`,
    `\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03`,
    `${CRLF}${CRLF}${CRLF}`,
  ]);
}

function absurdLength(rng: FuzzRandom): () => RawCase {
  return () => {
    const lengths = rng.pick([
      ['99999999999999999999999'],
      ['-1'],
      ['1, 2'],
      [' 5'],
      ['0x10'],
      ['1e3'],
      ['5', '7'],
      ['1000000000'],
      ['70000'],
      ['2'],
    ]);
    const body = rng.pick(['{}', '{"client_id":"demo-client"}', '']);
    const te = rng.chance(0.2) ? `Transfer-Encoding: chunked${CRLF}` : '';
    const headers = lengths.map((length) => `Content-Length: ${length}${CRLF}`).join('');
    const text = `PUT /admin/credentials/spare HTTP/1.1${CRLF}${host}${admin}Content-Type: application/json${CRLF}${headers}${te}${CRLF}${body}`;
    return simple('absurd-length', text, { end: true, mayGoUnanswered: true });
  };
}

function badChunked(rng: FuzzRandom): () => RawCase {
  return () => {
    const te = rng.pick(['chunked', 'gzip, chunked', 'chunked, identity', 'Chunked', 'chunked\x0b']);
    const chunks = rng.pick([
      'zz\r\n{}\r\n0\r\n\r\n',
      '2\r\n{}\r\n',
      '2;x=' + 'e'.repeat(20_000) + '\r\n{}\r\n0\r\n\r\n',
      'ffffffffffffffff\r\n{}',
      '2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n',
    ]);
    const text = `PUT /admin/credentials/spare HTTP/1.1${CRLF}${host}${admin}Content-Type: application/json${CRLF}Transfer-Encoding: ${te}${CRLF}${CRLF}${chunks}`;
    return simple('bad-chunked', text, { end: true, mayGoUnanswered: true });
  };
}

const PIPELINE_PARTS: readonly string[] = [
  `GET /tokens/flaky HTTP/1.1${CRLF}${host}${caller}${CRLF}`,
  `GET /tokens/spare?minTtl=60 HTTP/1.1${CRLF}${host}Authorization: Bearer ${KEYS.narrow}${CRLF}${CRLF}`,
  `GET /health/live HTTP/1.1${CRLF}${host}${CRLF}`,
  `HEAD /providers HTTP/1.1${CRLF}${host}${CRLF}`,
  `HEAD /tokens/flaky HTTP/1.1${CRLF}${host}${caller}${CRLF}`,
  `GET /tokens/%2e%2e HTTP/1.1${CRLF}${host}${caller}${CRLF}`,
  `GET /nope HTTP/1.1${CRLF}${host}${CRLF}`,
  `PUT /admin/credentials/spare HTTP/1.1${CRLF}${host}${admin}Content-Type: text/plain${CRLF}Content-Length: 3${CRLF}${CRLF}a=b`,
  `GET /admin/credentials/spare HTTP/1.1${CRLF}${host}${admin}${CRLF}`,
];

/** Several requests in one go, sometimes cut at random bytes, the last one asking to close; sometimes half-closed. */
function pipelined(rng: FuzzRandom): () => RawCase {
  return () => {
    const parts = Array.from({ length: rng.int(2, 20) }, () => rng.pick(PIPELINE_PARTS));
    parts.push(`GET /health/live HTTP/1.1${CRLF}${host}Connection: close${CRLF}${CRLF}`);
    const whole = Buffer.from(parts.join(''), 'latin1');
    const cuts = rng.chance(0.3) ? Array.from({ length: rng.int(1, 6) }, () => rng.int(1, whole.length - 1)).sort((a, b) => a - b) : [];
    const chunks = [0, ...cuts].map((start, i) => whole.subarray(start, cuts[i] ?? whole.length)).filter((chunk) => chunk.length > 0);
    const end = rng.chance(0.3);
    return { kind: 'pipelined', chunks, requests: parts.map(askedBy), end, mayGoUnanswered: end };
  };
}

/** A request whose sender gives up halfway: the connection ends mid-line, mid-headers or mid-body. */
function halfSent(rng: FuzzRandom): () => RawCase {
  return () => {
    const whole = `PUT /admin/credentials/spare HTTP/1.1${CRLF}${host}${admin}Content-Type: application/json${CRLF}Content-Length: 40${CRLF}${CRLF}{"client_id":"demo-client"`;
    const cut = rng.int(1, whole.length - 1);
    return {
      kind: 'half-sent',
      chunks: [Buffer.from(whole.slice(0, cut), 'latin1')],
      requests: [askedBy(whole)],
      end: true,
      mayGoUnanswered: true,
    };
  };
}

/** Half-sent requests left open: the broker's header and request timeouts must end them (408). */
export function slowCase(index: number): RawCase {
  const texts = [
    `GET /tokens/flaky HTTP/1.1${CRLF}${host}`,
    `PUT /admin/credentials/spare HTTP/1.1${CRLF}${host}${admin}Content-Type: application/json${CRLF}Content-Length: 100${CRLF}${CRLF}{"a":`,
    `GET /health/live HT`,
    '',
  ];
  const text = texts[index % texts.length];
  return {
    kind: 'left-open',
    chunks: text ? [Buffer.from(text, 'latin1')] : [],
    requests: [askedBy(text || 'GET / HTTP/1.1')],
    end: false,
    mayGoUnanswered: true,
  };
}
