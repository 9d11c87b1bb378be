import { UpstreamError } from '@app/errors';
import { UpstreamResponse } from './upstream-http-client';

/** OAuth2-style error codes are safe to repeat; anything else from a body is not. */
const SAFE_ERROR_CODE = /^[a-z][a-z0-9_ -]{0,63}$/i;

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
      `Upstream answered HTTP ${response.status} with a body that is not JSON (${describeContentType(response)})`,
      { status: response.status },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', `Upstream answered HTTP ${response.status} with JSON that is not an object`, {
      status: response.status,
    });
  }
  return value as Record<string, unknown>;
}

/** Reads a short error code from a JSON error body, if it has a safe-looking one. */
export function safeErrorCode(body: Record<string, unknown> | undefined, field = 'error'): string | undefined {
  const value = body?.[field];
  return typeof value === 'string' && SAFE_ERROR_CODE.test(value) ? value : undefined;
}

/**
 * The generic classification for a non-2xx answer: 408/425/429/5xx are transient (with the
 * upstream's Retry-After), other 4xx need a person. `errorCode` is the body's error code, if any.
 */
export function failureFromResponse(provider: string, response: UpstreamResponse, errorCode?: string): UpstreamError {
  const transient = response.status === 408 || response.status === 425 || response.status === 429 || response.status >= 500;
  const reason = errorCode ?? `http_${response.status}`;
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

function describeContentType(response: UpstreamResponse): string {
  const type = response.contentType.split(';')[0].trim();
  return type ? `content-type ${type.slice(0, 64)}` : 'no content-type';
}
