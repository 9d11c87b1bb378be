import { UpstreamError, type UpstreamReason } from '@app/errors';
import { UpstreamResponse } from '../core/upstream-http-client';
import { failureFromResponse, oauthErrorCode, parseJsonObject, requireString } from '../core/upstream-response';
import { jwtExpiry } from './jwt-expiry';

/** A successful token answer (RFC 6749 §5.1); `expiresAt` is undefined when it says nothing about the lifetime. */
export interface OAuth2Answer {
  accessToken: string;
  tokenType: string;
  expiresAt?: number;
  refreshToken?: string;
}

/**
 * RFC 6749 §5.2 refusals: no retry fixes them, a person must act. Each says what to look at, in the
 * broker's words (the upstream's `error_description` is never repeated).
 */
const REFUSALS: Partial<Record<UpstreamReason, string>> = {
  invalid_grant: 'the refresh token or grant is invalid, expired, revoked or was already used; authorize again',
  invalid_client: 'the client was not authenticated; check client_id, client_secret and auth',
  unauthorized_client: 'this client is not allowed to use this grant type; check the client at the upstream',
  unsupported_grant_type: 'the upstream does not offer this grant type',
  invalid_scope: 'the scope was refused; check scope',
  invalid_request: 'the upstream found the request malformed; check bodyFormat and auth',
};

/** Maps a 2xx answer: `expires_in` as a number or numeric string, else the access token's JWT `exp`. */
export function readOAuth2Answer(provider: string, response: UpstreamResponse, sentAt: number): OAuth2Answer {
  const body = parseJsonObject(provider, response);
  const accessToken = requireString(provider, body, 'access_token');
  const lifetime = readExpiresIn(provider, body.expires_in);
  const expiresAt = lifetime === undefined ? jwtExpiry(accessToken) : sentAt + lifetime * 1000;
  if (expiresAt !== undefined && expiresAt <= Date.now()) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', 'Upstream issued an access token that has already expired');
  }
  const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined;
  return { accessToken, tokenType: normaliseTokenType(body.token_type), expiresAt, refreshToken };
}

/**
 * Classifies a non-2xx answer: the §5.2 refusals need a person; `temporarily_unavailable`, 408, 425,
 * 429 and 5xx are transient and keep the upstream's Retry-After; any other status needs a person.
 */
export function oauth2Failure(provider: string, response: UpstreamResponse): UpstreamError {
  const code = oauthErrorCode(parseOrNothing(provider, response));
  const details = { status: response.status, retryAfterMs: response.retryAfterMs };
  if (code === 'temporarily_unavailable') {
    return new UpstreamError(provider, 'transient', code, `Upstream is temporarily unavailable: HTTP ${response.status} ${code}`, details);
  }
  const refusal = code && REFUSALS[code];
  if (!code || !refusal) return failureFromResponse(provider, response, code);
  const message = `Upstream refused the token request: HTTP ${response.status} ${code}: ${refusal}`;
  return new UpstreamError(provider, 'permanent', code, message, details);
}

function readExpiresIn(provider: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', 'Upstream answered with an unusable "expires_in"');
  }
  return seconds;
}

function parseOrNothing(provider: string, response: UpstreamResponse): Record<string, unknown> | undefined {
  try {
    return parseJsonObject(provider, response);
  } catch {
    return undefined; // an HTML error page, say: its status alone decides
  }
}

function normaliseTokenType(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.toLowerCase() === 'bearer') return 'Bearer';
  return value;
}
