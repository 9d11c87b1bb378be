import { UpstreamError } from '@app/errors';
import { UpstreamResponse } from '../core/upstream-http-client';
import { IssuedTokens } from '../testing/issued-tokens';
import { jwtExpiry } from './jwt-expiry';
import { oauth2Failure, readOAuth2Answer } from './oauth2-token-response';

const json = (status: number, body: unknown, retryAfterMs?: number): UpstreamResponse => ({
  status,
  contentType: 'application/json',
  text: JSON.stringify(body),
  retryAfterMs,
});
const sentAt = Date.now();
const read = (body: unknown) => readOAuth2Answer('p', json(200, body), sentAt);
const thrown = (run: () => unknown): UpstreamError => {
  try {
    run();
  } catch (error) {
    return error as UpstreamError;
  }
  throw new Error('did not throw');
};

describe('RFC 6749 token answers', () => {
  it.each([3600, '3600', ' 3600 ', '3600.0'])('reads expires_in %p as seconds from when the request was sent', (expiresIn) => {
    expect(read({ access_token: 'at', expires_in: expiresIn }).expiresAt).toBe(sentAt + 3_600_000);
  });

  it.each([0, -5, '', 'soon', '1e3', 'Infinity', true, {}])('refuses expires_in %p as a transient malformed answer', (expiresIn) => {
    const error = thrown(() => read({ access_token: 'at', expires_in: expiresIn }));
    expect(error).toMatchObject({ kind: 'transient', reason: 'malformed_response' });
  });

  it('takes the expiry from a JWT access token when expires_in is absent', () => {
    const jwt = new IssuedTokens().issue('x', 900, 'jwt');
    expect(read({ access_token: jwt }).expiresAt).toBe(jwtExpiry(jwt));
    expect(jwtExpiry(jwt)! - Date.now()).toBeGreaterThan(895_000);
  });

  it.each([
    ['an opaque token', 'opaque-access-token'],
    ['a JWT without exp', `e30.${Buffer.from('{"sub":"x"}').toString('base64url')}.sig`],
    ['a JWT whose exp is in milliseconds', `e30.${Buffer.from(JSON.stringify({ exp: Date.now() + 60_000 })).toString('base64url')}.sig`],
  ])('leaves the expiry to defaultLifetime for %s without expires_in', (_case, accessToken) => {
    expect(read({ access_token: accessToken }).expiresAt).toBeUndefined();
  });

  it('refuses a JWT that expired already when nothing else gives a lifetime', () => {
    const expired = `e30.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) - 10 })).toString('base64url')}.sig`;
    expect(thrown(() => read({ access_token: expired }))).toMatchObject({ kind: 'transient', reason: 'malformed_response' });
  });

  it('keeps the refresh token the answer carries, and has none when it carries none (the client keeps its own, §6)', () => {
    expect(read({ access_token: 'at', expires_in: 60, refresh_token: 'rt2' }).refreshToken).toBe('rt2');
    expect(read({ access_token: 'at', expires_in: 60 }).refreshToken).toBeUndefined();
    expect(read({ access_token: 'at', expires_in: 60, refresh_token: '' }).refreshToken).toBeUndefined();
  });

  it('calls any bearer spelling Bearer and defaults a missing token_type to Bearer', () => {
    expect(read({ access_token: 'at', token_type: 'bearer' }).tokenType).toBe('Bearer');
    expect(read({ access_token: 'at' }).tokenType).toBe('Bearer');
    expect(read({ access_token: 'at', token_type: 'DPoP' }).tokenType).toBe('DPoP');
  });
});

describe('RFC 6749 5.2 refusals', () => {
  it('makes invalid_grant permanent: the chain needs a person, no retry loop', () => {
    const error = oauth2Failure('p', json(400, { error: 'invalid_grant', error_description: 'token tb-leak reused' }));
    expect(error).toMatchObject({ kind: 'permanent', reason: 'invalid_grant', details: { status: 400 } });
    expect(error.message).toContain('authorize again');
    expect(error.message).not.toContain('tb-leak');
  });

  it.each([
    ['invalid_client', 401, 'check client_id, client_secret and auth'],
    ['unauthorized_client', 400, 'not allowed to use this grant type'],
  ])('makes %s permanent with its own message', (code, status, message) => {
    const error = oauth2Failure('p', json(status, { error: code }));
    expect(error).toMatchObject({ kind: 'permanent', reason: code });
    expect(error.message).toContain(message);
  });

  it.each([
    [429, { error: 'slow_down' }, 'http_429'],
    [503, { error: 'server_error' }, 'http_503'],
    [500, 'not json', 'http_500'],
    [400, { error: 'temporarily_unavailable' }, 'temporarily_unavailable'],
    [503, { error: 'temporarily_unavailable' }, 'temporarily_unavailable'],
  ])('makes HTTP %p %j transient as %s, keeping Retry-After', (status, body, reason) => {
    const html = { status, contentType: 'text/html', text: typeof body === 'string' ? body : JSON.stringify(body), retryAfterMs: 7000 };
    const response = typeof body === 'string' ? html : json(status, body, 7000);
    expect(oauth2Failure('p', response)).toMatchObject({ kind: 'transient', reason, details: { status, retryAfterMs: 7000 } });
  });

  it('names an HTML error page by its status and never quotes it', () => {
    const error = oauth2Failure('p', { status: 403, contentType: 'text/html', text: '<html>denied tb-leak</html>' });
    expect(error).toMatchObject({ kind: 'permanent', reason: 'http_403' });
    expect(error.message).not.toMatch(/html|tb-leak/);
  });

  it('keeps an unknown error code out of the vocabulary that leaves the broker', () => {
    expect(oauth2Failure('p', json(400, { error: 'Invalid_Grant' }))).toMatchObject({ kind: 'permanent', reason: 'http_400' });
  });
});
