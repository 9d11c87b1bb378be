import { UpstreamError, type UpstreamReason } from '@app/errors';
import { UpstreamResponse } from './upstream-http-client';

/**
 * The error codes of RFC 6749 5.2 (and `temporarily_unavailable`) are the only words from an
 * upstream body the broker repeats: an upstream's `error` may hold anything, a secret included.
 */
const OAUTH_ERROR_CODES: ReadonlySet<string> = new Set<UpstreamReason>([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'temporarily_unavailable',
]);

/** Parses a JSON object body or throws a transient `malformed_response` (HTML error pages, empty bodies, ...). */
export function parseJsonObject(provider: string, response: UpstreamResponse): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(response.text);
  } catch {
    throw new UpstreamError(
      provider,
      'transient',
      'malformed_response',
      `Upstream answered HTTP ${response.status} with a body that is not JSON`,
      { status: response.status },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UpstreamError(
      provider,
      'transient',
      'malformed_response',
      `Upstream answered HTTP ${response.status} with JSON that is not an object`,
      {
        status: response.status,
      },
    );
  }
  return value as Record<string, unknown>;
}

/** The body's OAuth2 error code when it is one of the known ones; anything else is not repeated. */
export function oauthErrorCode(body: Record<string, unknown> | undefined, field = 'error'): UpstreamReason | undefined {
  const value = body?.[field];
  return typeof value === 'string' && OAUTH_ERROR_CODES.has(value) ? (value as UpstreamReason) : undefined;
}

/**
 * The generic classification for a non-2xx answer: 408/425/429/5xx are transient (with the
 * upstream's Retry-After), other 4xx need a person. `errorCode` is the body's error code, if any.
 */
export function failureFromResponse(provider: string, response: UpstreamResponse, errorCode?: UpstreamReason): UpstreamError {
  const transient = response.status === 408 || response.status === 425 || response.status === 429 || response.status >= 500;
  const reason: UpstreamReason = errorCode ?? `http_${response.status}`;
  return new UpstreamError(
    provider,
    transient ? 'transient' : 'permanent',
    reason,
    `Upstream refused the token request: HTTP ${response.status}${errorCode ? ` ${errorCode}` : ''}`,
    { status: response.status, retryAfterMs: response.retryAfterMs },
  );
}

/** Reads a required non-empty string field of a success body. */
export function requireString(provider: string, body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', `Upstream answered without a usable "${field}"`);
  }
  return value;
}
