import type { FuzzRandom } from './fuzz-random';
import { DEMO_CLIENT, KEYS, SERVED_PROVIDER } from './fuzz-world';
import { TEST_SECRETS } from './test-secrets';

/** Which part of the API a request aims at, for the counts the run prints. */
export type RouteClass = 'tokens' | 'token-refresh' | 'admin' | 'providers' | 'health' | 'metrics' | 'status-page' | 'docs' | 'other';

export interface FuzzRequest {
  routeClass: RouteClass;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: string;
}

const ROUTE_CLASSES: readonly (readonly [number, RouteClass])[] = [
  [46, 'tokens'],
  [6, 'token-refresh'],
  [16, 'admin'],
  [6, 'providers'],
  [4, 'health'],
  [1, 'metrics'],
  [1, 'status-page'],
  [1, 'docs'],
  [10, 'other'],
];
const ODD_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FUZZ'];
const SECRET_VALUES = Object.values(TEST_SECRETS);

/**
 * One random request for the volume lane: any route, method, provider id, query, headers and body,
 * but never a well-formed wrong credential (the guesser lane sends those, since they are slowed).
 * A right admin token never deletes the served provider's credentials: the valid callers need them.
 */
export function volumeRequest(rng: FuzzRandom): FuzzRequest {
  const routeClass = rng.weighted(ROUTE_CLASSES);
  const provider = providerId(rng);
  const [method, path] = methodAndPath(rng, routeClass, provider);
  const headers: Record<string, string | string[]> = {};
  const authorization = authorizationFor(rng, routeClass);
  if (authorization !== undefined) headers.authorization = authorization;
  const request: FuzzRequest = { routeClass, method, path, headers, ...bodyAndType(rng, routeClass, method, headers) };
  addJunkHeaders(rng, headers);
  // however the admin token is spelled (`BEARER  <token>` is right too)
  if (method === 'DELETE' && path.startsWith(`/admin/credentials/${SERVED_PROVIDER}`)) request.path = '/admin/credentials/spare';
  return request;
}

/** A well-formed Bearer credential that is wrong for its route: counted per address and slowed. */
export function guessRequest(rng: FuzzRandom): FuzzRequest {
  const toAdmin = rng.chance(0.3);
  const key = rng.weighted<string>([
    [6, `tbk_guess-${rng.hex(16)}`],
    [2, KEYS.fuzz],
    [1, rng.string(rng.int(1, 1024), 'abcdefXYZ0189-._~+/=')],
    [1, KEYS.admin],
    [1, `${rng.pick([KEYS.fuzz, KEYS.admin])}${rng.pick(['%00', '"', '\\', '='])}`],
  ]);
  const wrong = toAdmin && key === KEYS.admin ? KEYS.fuzz : !toAdmin && key === KEYS.fuzz ? KEYS.admin : key;
  const provider = rng.pick(['flaky', 'spare', 'nope']);
  const path = toAdmin ? `/admin/credentials/${provider}` : `/tokens/${provider}`;
  return {
    routeClass: toAdmin ? 'admin' : 'tokens',
    method: 'GET',
    path,
    headers: { authorization: `${rng.pick(['Bearer', 'bearer', 'BEARER'])} ${wrong}` },
  };
}

function providerId(rng: FuzzRandom): string {
  return rng.weighted<() => string>([
    [40, () => 'flaky'],
    [15, () => 'spare'],
    [8, () => rng.string(rng.int(1, 63), 'abcdefghijklmnopqrstuvwxyz0123456789-_')],
    [3, () => rng.pick(['FLAKY', 'Flaky', '-flaky', '_x', 'a'.repeat(64)])],
    [
      6,
      () => rng.pick(['..', '%2e%2e', '..%2fadmin', '%2F', 'flaky%00', '%00', 'flaky%2f..', '%ZZ', '%', 'flaky%20', '%C3%A9', '%E2%80%AE']),
    ],
    [3, () => 'a'.repeat(rng.pick([300, 1000, 5000]))],
    [4, () => encodeURIComponent(rng.pick(SECRET_VALUES))],
    [2, () => encodeURIComponent(rng.pick(['<script>alert(1)</script>', '{"x":1}', "'; DROP TABLE x;--", '$(id)', '\u0000\u0001']))],
    [2, () => ''],
  ])();
}

function methodAndPath(rng: FuzzRandom, routeClass: RouteClass, provider: string): [string, string] {
  const odd = rng.chance(0.12);
  const method = (usual: string) => (odd ? rng.pick(ODD_METHODS) : usual);
  switch (routeClass) {
    case 'tokens':
      return [
        method('GET'),
        `${rng.pick(['/tokens/', '/tokens/', '/tokens/', '//tokens/', '/TOKENS/', '/tokens/./', '/tokens//'])}${provider}${rng.chance(0.05) ? '/' : ''}${query(rng)}`,
      ];
    case 'token-refresh':
      return [method('POST'), `/tokens/${provider}/refresh${rng.chance(0.2) ? query(rng) : ''}`];
    case 'admin':
      return [method(rng.pick(['PUT', 'PUT', 'GET', 'DELETE'])), `/admin/credentials/${provider}${rng.chance(0.1) ? query(rng) : ''}`];
    case 'providers':
      return [method('GET'), rng.chance(0.3) ? '/providers' : `/providers/${provider}`];
    case 'health':
      return [method('GET'), rng.pick(['/health/live', '/health/ready', '/health', '/health/', '/health/live?x=1', '/health/%2e%2e'])];
    case 'metrics':
      return [method('GET'), rng.pick(['/metrics', '/metrics?name[]=x', '/metrics/'])];
    case 'status-page':
      return [method('GET'), rng.pick(['/', '/?refresh=1', `/?k=${encodeURIComponent(rng.pick(SECRET_VALUES))}`, '/index.html'])];
    case 'docs':
      return [
        method('GET'),
        rng.pick(['/docs-json', '/docs-yaml', '/docs', '/docs/', '/docs/swagger-ui-init.js', '/docs/%2e%2e/%2e%2e/package.json']),
      ];
    default:
      return [method(rng.pick(['GET', 'POST'])), otherPath(rng)];
  }
}

function otherPath(rng: FuzzRandom): string {
  return rng.weighted<() => string>([
    [4, () => `/${rng.string(rng.int(1, 40), 'abcdefghijklmnopqrstuvwxyz0123456789-_./%')}`],
    [2, () => rng.pick(['/tokens', '/tokens/', '/admin', '/admin/credentials', '/admin/credentials/', '/favicon.ico', '/robots.txt'])],
    [2, () => rng.pick(['/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%ZZ', '/%', '//', '/?', '/#x', '/tokens/flaky/refresh/x'])],
    [1, () => `/${encodeURIComponent(rng.pick(SECRET_VALUES))}?${encodeURIComponent(rng.pick(SECRET_VALUES))}=1`],
    [1, () => `/${'a/'.repeat(rng.int(10, 800))}`],
  ])();
}

function query(rng: FuzzRandom): string {
  return rng.weighted<() => string>([
    [50, () => ''],
    [
      25,
      () =>
        `?minTtl=${rng.pick(['0', '1', '60', '600', '3000', '3590', '3599', '3600', '4000', '31536000', '31536001', '999999999', '9999999999'])}`,
    ],
    [10, () => `?minTtl=${rng.pick(['-1', '1e3', '0x10', '%205', 'abc', '', '1.5', '%00', '%ZZ', '%EF%BC%91%EF%BC%92'])}`],
    [5, () => `?minTtl=${rng.int(0, 100)}&minTtl=${rng.int(0, 100)}`],
    [5, () => `?${rng.string(rng.int(1, 10))}=${rng.string(rng.int(0, 30))}&minTtl[]=1`],
    [5, () => `?key=${encodeURIComponent(rng.pick(SECRET_VALUES))}`],
  ])();
}

function authorizationFor(rng: FuzzRandom, routeClass: RouteClass): string | string[] | undefined {
  const right =
    routeClass === 'admin' || routeClass === 'token-refresh'
      ? KEYS.admin
      : routeClass === 'tokens'
        ? KEYS.fuzz
        : rng.pick([KEYS.admin, KEYS.fuzz]);
  const usable = routeClass === 'tokens' ? rng.pick([KEYS.fuzz, KEYS.fuzz, KEYS.fuzz, KEYS.narrow]) : right;
  return rng.weighted<() => string | string[] | undefined>([
    [50, () => `Bearer ${usable}`],
    [4, () => `${rng.pick(['bearer', 'BEARER', 'BeArEr'])}${' '.repeat(rng.int(1, 3))}${usable}`],
    [12, () => undefined],
    [4, () => `Basic ${Buffer.from(`admin:${usable}`).toString('base64')}`],
    [3, () => rng.pick(['Bearer', 'Bearer ', 'Bearer  ', '', ' ', 'Bearer\t', `Bearer ${usable} extra`, `Token ${usable}`, `${usable}`])],
    [3, () => `Bearer ${'k'.repeat(rng.pick([1025, 4000, 10_000]))}`],
    [3, () => [`Bearer ${usable}`, `Bearer ${usable}`]],
    [2, () => [`Bearer ${usable}`, rng.pick(['Basic eA==', 'Bearer other', ''])]],
    // not visible ASCII, so no credential at all: a wrong one would be counted and slowed (the guesser lane's job)
    [2, () => `Bearer ${usable}${rng.pick(['\u00e9', '\u00ff', '\u0080'])}`],
  ])();
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/json; charset=latin1',
  ';;;',
  'text/html',
];

function bodyAndType(rng: FuzzRandom, routeClass: RouteClass, method: string, headers: FuzzRequest['headers']): { body?: string } {
  const wantsBody = method === 'PUT' || method === 'POST' || method === 'PATCH' ? rng.chance(0.9) : rng.chance(0.05);
  if (!wantsBody || method === 'HEAD' || method === 'TRACE') return {};
  const body = credentialBody(rng, routeClass);
  const type = rng.weighted<string | undefined>([
    [70, 'application/json'],
    [20, rng.pick(CONTENT_TYPES)],
    [10, undefined],
  ]);
  if (type !== undefined) headers['content-type'] = rng.chance(0.03) ? [type, rng.pick(CONTENT_TYPES)] : type;
  return { body };
}

function credentialBody(rng: FuzzRandom, routeClass: RouteClass): string {
  const { clientId, clientSecret } = DEMO_CLIENT;
  return rng.weighted<() => string>([
    [routeClass === 'admin' ? 25 : 5, () => JSON.stringify({ client_id: clientId, client_secret: clientSecret })],
    [8, () => JSON.stringify({ client_id: clientId, client_secret: TEST_SECRETS.wrongSecret })],
    [8, () => JSON.stringify({ client_id: clientId, client_secret: clientSecret, [rng.pick(SECRET_VALUES)]: rng.pick(SECRET_VALUES) })],
    [5, () => JSON.stringify({ client_id: rng.pick(SECRET_VALUES) })],
    [6, () => rng.pick(['[]', '"x"', '123', 'null', 'true', '{}', '{"client_id":1,"client_secret":[]}'])],
    [
      6,
      () =>
        rng.pick([
          '{"client_id":',
          '{',
          '}',
          '{"a":"\\u00"}',
          `{"client_secret":"${clientSecret}"`,
          '\u0000',
          'client_id=a&client_secret=b',
        ]),
    ],
    [3, () => `{"__proto__":{"polluted":true},"client_id":"${clientId}","client_secret":"${clientSecret}"}`],
    [2, () => `{"constructor":{"prototype":{"polluted":true}},"client_id":"x","client_secret":"y"}`],
    [
      3,
      () => {
        const depth = rng.pick([100, 5_000, 30_000]);
        return '['.repeat(depth) + (rng.chance(0.5) ? ']'.repeat(depth) : '');
      },
    ],
    [2, () => JSON.stringify({ client_id: clientId, client_secret: 's'.repeat(rng.pick([10_000, 70_000])) })],
    [3, () => rng.string(rng.int(0, 300), 'abc{}[]":,\\ 0123456789')],
    [2, () => `client_id=${clientId}&client_secret=${clientSecret}`],
  ])();
}

function addJunkHeaders(rng: FuzzRandom, headers: FuzzRequest['headers']): void {
  if (rng.chance(0.2))
    headers['x-request-id'] = rng.pick(['req-1', rng.string(64, 'abcXYZ019._:-'), rng.string(65), 'has space', '<x>', '']);
  const count = rng.weighted<number>([
    [70, 0],
    [25, rng.int(1, 5)],
    [4, rng.int(20, 100)],
    [1, 0],
  ]);
  for (let i = 0; i < count; i += 1)
    headers[`x-fuzz-${i}`] = rng.string(rng.int(0, 200), 'abcdefghij klmnop=;,"\'()<>/?@[]{}\\|~`!#$%^&*+0123456789');
  if (rng.chance(0.02)) headers['x-huge'] = 'h'.repeat(rng.pick([8_000, 15_000, 17_000, 40_000]));
  if (rng.chance(0.03)) headers['x-dup'] = ['one', 'two', 'three'];
  if (rng.chance(0.03)) headers.cookie = `session=${rng.pick(SECRET_VALUES)}`;
  if (rng.chance(0.02)) headers['x-forwarded-for'] = rng.pick(['127.0.0.2', '10.0.0.1, 127.0.0.2', 'garbage', '::1']);
  if (rng.chance(0.02)) headers.accept = rng.pick(['text/html', '*/*', 'application/xml', '']);
}
