import { FUZZ_PROVIDERS } from './fuzz-world';
import type { RouteClass } from './fuzz-requests';
import { ISSUED_TOKEN_PATTERNS } from './test-secrets';

/** Statuses README documents ("API", "Credentials (admin)", "Operations", "Bad input"). */
export const DOCUMENTED_STATUSES = new Set([200, 204, 400, 401, 403, 404, 405, 408, 409, 413, 414, 415, 417, 422, 429, 431, 503]);

/** Every `error` code README documents. */
export const DOCUMENTED_CODES = new Set([
  'invalid_request',
  'invalid_credentials',
  'unauthorized',
  'admin_disabled',
  'forbidden',
  'unknown_provider',
  'not_found',
  'credentials_not_found',
  'method_not_allowed',
  'request_timeout',
  'credential_conflict',
  'payload_too_large',
  'uri_too_long',
  'unsupported_media_type',
  'expectation_failed',
  'min_ttl_unattainable',
  'rate_limited',
  'too_many_failed_authentications',
  'headers_too_large',
  'credentials_missing',
  'upstream_unavailable',
  'reauthorization_required',
  'token_store_unavailable',
  'lock_unavailable',
  'credential_store_unavailable',
  'not_ready',
]);
/** Codes whose answers say when to come back. */
const RETRY_AFTER_CODES = new Set([
  'rate_limited',
  'too_many_failed_authentications',
  'upstream_unavailable',
  'token_store_unavailable',
  'lock_unavailable',
]);

export interface FuzzAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What was asked, as far as judging the answer goes. */
export interface AskedFor {
  routeClass: RouteClass;
  method: string;
  path: string;
}

/** The route class of a request path, for requests written as raw bytes. */
export function routeClassOf(path: string): RouteClass {
  if (/^\/tokens\/[^/?]*\/refresh/.test(path)) return 'token-refresh';
  if (/^\/tokens\/[^/?]+/.test(path)) return 'tokens';
  const [, first] = /^\/([a-z-]*)/.exec(path) ?? [];
  if (first === 'admin' || first === 'providers' || first === 'health' || first === 'metrics') return first;
  if (first === 'docs-json' || first === 'docs-yaml' || first === 'docs') return 'docs';
  return path === '/' || path.startsWith('/?') ? 'status-page' : 'other';
}

/**
 * What is wrong with an answer, if anything: an undocumented status, an error not in the
 * `{"error","message"}` shape or with an undocumented code, a token answer of the wrong shape, or
 * a secret (or, outside a token answer, a token) anywhere in its headers or body. A secret the
 * request itself put in its path (a well-formed provider id) may come back as that id; nothing
 * else it sent may.
 */
export function problemsWith(asked: AskedFor, answer: FuzzAnswer, secrets: readonly string[]): string[] {
  const problems: string[] = [];
  if (!DOCUMENTED_STATUSES.has(answer.status)) problems.push(`undocumented status ${answer.status}`);
  const bodyless = asked.method === 'HEAD' || answer.status === 204;
  if (answer.status >= 400 && !bodyless) problems.push(...errorShapeProblems(answer));
  let scanned = `${JSON.stringify(answer.headers)}\n${answer.body}`;
  if (answer.status === 200 && asked.routeClass === 'tokens' && asked.method === 'GET') {
    const token = tokenAnswer(answer.body);
    if (!token) problems.push('a 200 from GET /tokens that is not a token answer');
    else scanned = scanned.replace(token.access_token, '<token>');
  }
  const path = decodedPath(asked.path);
  for (const secret of secrets)
    if (scanned.includes(secret) && !path.includes(secret)) problems.push(`a secret in the answer (${secret.slice(0, 6)}…)`);
  for (const pattern of ISSUED_TOKEN_PATTERNS)
    if (pattern.test(scanned)) problems.push(`an issued token outside a token answer (${pattern})`);
  return problems;
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** `text` with every secret replaced: problem reports end up in the run's output, which is checked for secrets too. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((redacted, secret) => redacted.split(secret).join('<secret>'), text);
}

function errorShapeProblems(answer: FuzzAnswer): string[] {
  const type = String(answer.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) return [`error answer ${answer.status} with content-type "${type}"`];
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return [`error answer ${answer.status} that is not JSON`];
  }
  const { error, message, ...rest } = (body ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof error !== 'string' || typeof message !== 'string' || !message || Object.keys(rest).length > 0) {
    problems.push(`error answer ${answer.status} not shaped {"error","message"}: ${answer.body.slice(0, 120)}`);
  } else if (!DOCUMENTED_CODES.has(error)) problems.push(`undocumented error code "${error}" (${answer.status})`);
  if (typeof error === 'string' && RETRY_AFTER_CODES.has(error) && !answer.headers['retry-after'])
    problems.push(`${error} without Retry-After`);
  if (answer.status === 405 && !answer.headers.allow) problems.push('405 without Allow');
  return problems;
}

interface TokenAnswer {
  provider: string;
  access_token: string;
}

function tokenAnswer(body: string): TokenAnswer | undefined {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const keys = Object.keys(parsed).sort().join(',');
    const shaped = keys === 'access_token,expires_at,expires_in,provider,token_type' && typeof parsed.access_token === 'string';
    return shaped && (FUZZ_PROVIDERS as readonly unknown[]).includes(parsed.provider) ? (parsed as unknown as TokenAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/** Counts by lane, route class and status, and the first few problems (secrets redacted) with the request that met each. */
export class FuzzTally {
  readonly byStatus = new Map<string, number>();
  readonly byRoute = new Map<string, Map<string, number>>();
  readonly problems: string[] = [];
  problemCount = 0;
  total = 0;

  constructor(private readonly secrets: readonly string[]) {}

  record(lane: string, asked: AskedFor, outcome: string | number, problems: string[] = []): void {
    const key = String(outcome);
    const route = `${lane} ${asked.routeClass}`;
    this.total += 1;
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    const counts = this.byRoute.get(route) ?? new Map<string, number>();
    counts.set(key, (counts.get(key) ?? 0) + 1);
    this.byRoute.set(route, counts);
    if (problems.length === 0) return;
    this.problemCount += 1;
    if (this.problems.length < 25)
      this.problems.push(redact(`${lane}: ${asked.method} ${asked.path.slice(0, 100)}: ${problems.join('; ')}`, this.secrets));
  }

  /** The counts as a few readable lines. */
  report(): string {
    const sorted = (counts: Map<string, number>) =>
      [...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `${k}:${n}`)
        .join(' ');
    const routes = [...this.byRoute]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, counts]) => `  ${route.padEnd(20)} ${sorted(counts)}`);
    return [`${this.total} answers by status: ${sorted(this.byStatus)}`, 'by lane and route class:', ...routes].join('\n');
  }
}
