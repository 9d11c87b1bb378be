import { UpstreamError } from '@app/errors';
import { IssuedToken } from '../core/provider-type';
import { UpstreamResponse } from '../core/upstream-http-client';
import { failureFromResponse, parseJsonObject, requireString } from '../core/upstream-response';

/**
 * An `expiry_time` further out than this is not a seconds timestamp (most likely milliseconds):
 * taking it at face value would cache a token for millennia.
 */
const MAX_LIFETIME_SECONDS = 366 * 86_400;

/**
 * Maps `{success, access_token, refresh_token, expiry_time}`. `expiry_time` is a Unix time in
 * seconds that arrives as a number or a string. Only an explicit `success: false` is a refusal
 * (it needs a person); a body without a boolean `success` is not Passportal talking (a proxy,
 * a half-written answer) and may heal, so it is a transient malformed answer.
 */
export function mapPassportalResponse(provider: string, response: UpstreamResponse): IssuedToken {
  if (response.status < 200 || response.status >= 300) throw failureFromResponse(provider, response);
  const body = parseJsonObject(provider, response);
  if (body.success === false) {
    // the client failed to authenticate, in RFC 6749 words; Passportal's own message is not repeated
    throw new UpstreamError(provider, 'permanent', 'invalid_client', 'Upstream answered success=false: the key id or HMAC was refused', {
      status: response.status,
    });
  }
  if (body.success !== true) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', 'Upstream answered without a boolean "success"', {
      status: response.status,
    });
  }
  const accessToken = requireString(provider, body, 'access_token');
  const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : undefined;
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt: parseExpiryTime(provider, body.expiry_time),
    state: refreshToken ? { refresh_token: refreshToken } : undefined,
  };
}

function parseExpiryTime(provider: string, value: unknown): number {
  const seconds = typeof value === 'string' && /^\d{9,11}$/.test(value.trim()) ? Number(value) : value;
  const now = Date.now();
  if (
    typeof seconds !== 'number' ||
    !Number.isInteger(seconds) ||
    seconds * 1000 <= now ||
    seconds * 1000 - now > MAX_LIFETIME_SECONDS * 1000
  ) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', 'Upstream answered without a usable future "expiry_time"');
  }
  return seconds * 1000;
}
