import { parseRetryAfter } from './retry-after';
import { TokenBrokerError, type TokenBrokerFailure } from './token-broker.error';

/** A token as the broker handed it out. */
export interface BrokerToken {
  provider: string;
  accessToken: string;
  /** `Bearer` for every provider the broker knows today. */
  tokenType: string;
  /** On this machine's clock: taken from the broker's `expires_in`, so clock skew between the two does not matter. */
  expiresAt: Date;
}

export interface RequestPolicy {
  fetch: typeof fetch;
  timeoutMs: number;
  maxAttempts: number;
  maxRetryWaitMs: number;
}

/** Answers worth asking again: the broker, its upstream or a proxy in front of it is busy or briefly away. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Wait before asking again when the answer named no Retry-After (a refused connection, a proxy's 502). */
const DEFAULT_RETRY_SECONDS = 1;
/** The broker's messages are short; anything longer did not come from it. */
const MAX_DETAIL_LENGTH = 300;

type Failure = Omit<TokenBrokerFailure, 'provider' | 'attempts'> & { detail: string; retryable: boolean; cause?: unknown };
type Attempt = { token: BrokerToken } | { failure: Failure };

/**
 * GET one token, asking again after the broker's Retry-After while attempts and the wait budget
 * last. A Retry-After longer than the budget left fails at once: waiting only to fail helps nobody.
 */
export async function requestToken(url: URL, callerKey: string, provider: string, policy: RequestPolicy): Promise<BrokerToken> {
  let waitedMs = 0;
  for (let attempts = 1; ; attempts += 1) {
    const outcome = await attempt(url, callerKey, provider, policy);
    if ('token' in outcome) return outcome.token;
    const { detail, retryable, cause, ...failure } = outcome.failure;
    const delayMs = (failure.retryAfterSeconds ?? DEFAULT_RETRY_SECONDS) * 1000;
    if (!retryable || attempts >= policy.maxAttempts || waitedMs + delayMs > policy.maxRetryWaitMs) {
      throw new TokenBrokerError({ provider, attempts, ...failure }, detail, { cause });
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    waitedMs += delayMs;
  }
}

async function attempt(url: URL, callerKey: string, provider: string, policy: RequestPolicy): Promise<Attempt> {
  const sentAt = Date.now();
  let response: Response;
  let text: string;
  try {
    response = await policy.fetch(url, {
      headers: { authorization: `Bearer ${callerKey}`, accept: 'application/json' },
      // a redirect would carry the caller key wherever it points
      redirect: 'manual',
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return { failure: unreachable(error, policy.timeoutMs) };
  }
  if (response.status === 200) return readToken(text, provider, sentAt);
  return { failure: refusal(response, text) };
}

function readToken(text: string, provider: string, sentAt: number): Attempt {
  const body = parseJson(text);
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = body ?? {};
  if (typeof accessToken !== 'string' || accessToken === '' || typeof tokenType !== 'string' || !isSeconds(expiresIn)) {
    const detail = 'the answer was not a token (expected access_token, token_type and expires_in)';
    return { failure: { status: 200, code: 'invalid_response', retryAfterSeconds: undefined, detail, retryable: false } };
  }
  // from when the request left: the broker counted expires_in a little later, so this errs early
  return { token: { provider, accessToken, tokenType, expiresAt: new Date(sentAt + expiresIn * 1000) } };
}

/** The broker's `{"error","message"}`; a proxy's HTML page or an empty body becomes `http_<status>`. */
function refusal(response: Response, text: string): Failure {
  const body = parseJson(text);
  const code = typeof body?.error === 'string' && /^[a-z0-9_]{1,64}$/.test(body.error) ? body.error : `http_${response.status}`;
  const message = typeof body?.message === 'string' && body.message !== '' ? body.message : undefined;
  const detail = message?.slice(0, MAX_DETAIL_LENGTH) ?? `HTTP ${response.status}`;
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  return { status: response.status, code, retryAfterSeconds, detail, retryable: RETRYABLE_STATUSES.has(response.status) };
}

/** No answer: a timeout is not retried (its time is spent), a refused or reset connection is. */
function unreachable(error: unknown, timeoutMs: number): Failure {
  const noAnswer = { status: undefined, retryAfterSeconds: undefined, cause: error };
  if ((error as Error)?.name === 'TimeoutError') {
    return { ...noAnswer, code: 'timeout', detail: `no answer within ${timeoutMs} ms`, retryable: false };
  }
  const reason = ((error as { cause?: { code?: unknown } })?.cause?.code as string | undefined) ?? (error as Error)?.name ?? 'unknown';
  return { ...noAnswer, code: 'network_error', detail: `could not reach the broker (${reason})`, retryable: true };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
