import { UpstreamError } from '@app/errors';
import { IssuedToken } from '../core/provider-type';
import { UpstreamResponse } from '../core/upstream-http-client';
import { failureFromResponse, parseJsonObject, requireString } from '../core/upstream-response';

/**
 * Maps `{success, access_token, refresh_token, expiry_time}`. `expiry_time` is a Unix time in
 * seconds that arrives as a number or a string. `success: false` is a refusal, not a token.
 */
export function mapPassportalResponse(provider: string, response: UpstreamResponse): IssuedToken {
  if (response.status < 200 || response.status >= 300) throw failureFromResponse(provider, response);
  const body = parseJsonObject(provider, response);
  if (body.success !== true) {
    throw new UpstreamError(provider, 'permanent', 'rejected', 'Upstream answered success=false: the key id or HMAC was refused', {
      status: response.status,
    });
  }
  const accessToken = requireString(provider, body, 'access_token');
  const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt: parseExpiryTime(provider, body.expiry_time),
    state: refreshToken ? { refresh_token: refreshToken } : undefined,
  };
}

function parseExpiryTime(provider: string, value: unknown): number {
  const seconds = typeof value === 'string' && /^\d{9,11}$/.test(value.trim()) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds * 1000 <= Date.now()) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', 'Upstream answered without a usable future "expiry_time"');
  }
  return seconds * 1000;
}
