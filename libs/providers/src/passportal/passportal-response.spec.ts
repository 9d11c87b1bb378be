import { createHmac } from 'node:crypto';
import { UpstreamError } from '@app/errors';
import { mapPassportalResponse } from './passportal-response';
import { passportalHash } from './passportal-signature';

const ok = (body: unknown, status = 200) => ({ status, contentType: 'application/json', text: JSON.stringify(body) });
const future = Math.floor(Date.now() / 1000) + 3600;

describe('Passportal signing and response mapping', () => {
  it('signs the content with hex HMAC-SHA256 keyed by the secret', () => {
    expect(passportalHash('secret', 'api-content-hash')).toBe(createHmac('sha256', 'secret').update('api-content-hash').digest('hex'));
    // independent vector: `echo -n api-content-hash | openssl dgst -sha256 -hmac secret`
    expect(passportalHash('secret', 'api-content-hash')).toBe('adb7d285c09c582d25e57ab006b0a5607e317fdd90d56d782ae602f521ec6e5f');
  });

  it.each([future, String(future)])('reads expiry_time given as %p and keeps the refresh token in state only', (expiry) => {
    const token = mapPassportalResponse('pp', ok({ success: true, access_token: 'at', refresh_token: 'rt', expiry_time: expiry }));
    expect(token).toEqual({ accessToken: 'at', tokenType: 'Bearer', expiresAt: future * 1000, state: { refresh_token: 'rt' } });
  });

  it.each([200, 401, 403])('treats success=false with HTTP %p as a refusal that needs a person', (status) => {
    expect(() => mapPassportalResponse('pp', ok({ success: false, message: 'invalid key or hash' }, status))).toThrow(
      expect.objectContaining({ kind: 'permanent' }) as UpstreamError,
    );
  });

  it("names a success=false refusal invalid_client and never repeats Passportal's message", () => {
    const error = (() => {
      try {
        return mapPassportalResponse('pp', ok({ success: false, message: 'key pp-secret-1 is wrong' }));
      } catch (e) {
        return e as UpstreamError;
      }
    })() as UpstreamError;
    expect(error).toMatchObject({ kind: 'permanent', reason: 'invalid_client' });
    expect(error.message).not.toContain('pp-secret-1');
  });

  it('treats success=false with a 5xx as transient', () => {
    expect(() => mapPassportalResponse('pp', ok({ success: false }, 503))).toThrow(
      expect.objectContaining({ kind: 'transient' }) as UpstreamError,
    );
  });

  it.each([
    ['an HTML error page', { status: 200, contentType: 'text/html', text: '<html><body>502 Bad Gateway</body></html>' }],
    ['truncated JSON', { status: 200, contentType: 'application/json', text: '{"success": true, "access_tok' }],
  ])('rejects %s as a transient malformed answer', (_case, response) => {
    expect(() => mapPassportalResponse('pp', response)).toThrow(
      expect.objectContaining({ kind: 'transient', reason: 'malformed_response' }) as UpstreamError,
    );
  });

  it.each([
    [{ success: true, expiry_time: future }, 'no token'],
    [{ success: true, access_token: 'at', expiry_time: 'soon' }, 'a text expiry'],
    [{ success: true, access_token: 'at', expiry_time: 1634808171 }, 'an expiry in the past'],
    [{ success: true, access_token: 'at', expiry_time: future * 1000 }, 'an expiry in milliseconds'],
    [{ access_token: 'at', expiry_time: future }, 'no success flag (not a refusal: nobody refused)'],
  ])('rejects %j (%s) as a malformed answer', (body, _case) => {
    expect(() => mapPassportalResponse('pp', ok(body))).toThrow(
      expect.objectContaining({ kind: 'transient', reason: 'malformed_response' }) as UpstreamError,
    );
  });
});
