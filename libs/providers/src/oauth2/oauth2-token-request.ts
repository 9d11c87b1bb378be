import { UpstreamError, type UpstreamReason } from '@app/errors';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { failureFromResponse, oauthErrorCode, parseJsonObject, requireString } from '../core/upstream-response';

export type OAuth2BodyFormat = 'json' | 'form';
/** `body` sends client_id/client_secret as parameters; `basic` in an Authorization header (RFC 6749 2.3.1). */
export type OAuth2ClientAuth = 'body' | 'basic';

export interface OAuth2TokenCall {
  provider: string;
  url: string;
  /** grant_type, client_id, client_secret, scope, refresh_token, ... */
  params: Record<string, string>;
  bodyFormat: OAuth2BodyFormat;
  clientAuth: OAuth2ClientAuth;
  /** Lifetime to assume when the answer has no `expires_in`. */
  defaultExpiresInSeconds: number;
  headers?: Record<string, string>;
}

/** RFC 6749 5.2 codes that no retry will fix: a person must change credentials or re-authorize. */
const PERMANENT_OAUTH_ERRORS = new Set<UpstreamReason>(['invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

export interface OAuth2Grant {
  accessToken: string;
  tokenType: string;
  expiresAt: number;
  refreshToken?: string;
}

/** One token-endpoint call (RFC 6749 4.4 / 6), with response mapping and failure classification. */
export async function requestOAuth2Token(http: UpstreamHttpClient, call: OAuth2TokenCall): Promise<OAuth2Grant> {
  const { client_id: clientId, client_secret: clientSecret, ...rest } = call.params;
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
  const params = call.clientAuth === 'basic' ? rest : call.params;
  if (call.clientAuth === 'basic') {
    const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  headers['content-type'] = call.bodyFormat === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  const body = call.bodyFormat === 'json' ? JSON.stringify(params) : new URLSearchParams(params).toString();

  // lifetimes count from when we asked: a slow answer must not stretch the expiry we believe in
  const sentAt = Date.now();
  const response = await http.send(call.provider, { method: 'POST', url: call.url, headers, body });
  if (response.status < 200 || response.status >= 300) {
    throw classifyOAuth2Failure(call.provider, response);
  }
  const json = parseJsonObject(call.provider, response);
  const refreshToken = typeof json.refresh_token === 'string' && json.refresh_token ? json.refresh_token : undefined;
  return {
    accessToken: requireString(call.provider, json, 'access_token'),
    tokenType: normaliseTokenType(json.token_type),
    expiresAt: sentAt + parseExpiresIn(call.provider, json.expires_in, call.defaultExpiresInSeconds) * 1000,
    refreshToken,
  };
}

function classifyOAuth2Failure(provider: string, response: Parameters<typeof failureFromResponse>[1]): UpstreamError {
  let code: UpstreamReason | undefined;
  try {
    code = oauthErrorCode(parseJsonObject(provider, response));
  } catch {
    code = undefined;
  }
  const failure = failureFromResponse(provider, response, code);
  if (code && PERMANENT_OAUTH_ERRORS.has(code) && failure.kind !== 'permanent') {
    return new UpstreamError(provider, 'permanent', code, failure.message, { status: response.status });
  }
  if (code === 'temporarily_unavailable' && failure.kind !== 'transient') {
    return new UpstreamError(provider, 'transient', code, failure.message, { status: response.status, retryAfterMs: response.retryAfterMs });
  }
  return failure;
}

function parseExpiresIn(provider: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UpstreamError(provider, 'transient', 'malformed_response', 'Upstream answered with an unusable "expires_in"');
  }
  return seconds;
}

function normaliseTokenType(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.toLowerCase() === 'bearer') return 'Bearer';
  return value;
}
