import { createHmac } from 'node:crypto';
import { UpstreamError } from '@app/errors';
import { mapPassportalResponse } from './passportal-response';
import { passportalHash } from './passportal-signature';

const ok = (body: unknown, status = 200) => ({ status, contentType: 'application/json', text: JSON.stringify(body) });
const future = Math.floor(Date.now() / 1000) + 3600;

describe('Passportal signing and response mapping', () => {
  it('signs the content with hex HMAC-SHA256 keyed by the secret', () => {
    expect(passportalHash('secret', 'api-content-hash')).toBe(createHmac('sha256', 'secret').update('api-content-hash').digest('hex'));
    expect(passportalHash('secret', 'api-content-hash')).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([future, String(future)])('reads expiry_time given as %p and keeps the refresh token in state only', (expiry) => {
    const token = mapPassportalResponse('pp', ok({ success: true, access_token: 'at', refresh_token: 'rt', expiry_time: expiry }));
    expect(token).toEqual({ accessToken: 'at', tokenType: 'Bearer', expiresAt: future * 1000, state: { refresh_token: 'rt' } });
  });

  it('treats success=false as a refusal that needs a person', () => {
    expect(() => mapPassportalResponse('pp', ok({ success: false, access_token: 'at' }))).toThrow(
      expect.objectContaining({ kind: 'permanent', reason: 'rejected' }) as UpstreamError,
    );
  });

  it.each([
    [{ success: true, expiry_time: future }, 'no token'],
    [{ success: true, access_token: 'at', expiry_time: 'soon' }, 'a text expiry'],
    [{ success: true, access_token: 'at', expiry_time: 1634808171 }, 'an expiry in the past'],
  ])('rejects %j (%s) as a malformed answer', (body, _case) => {
    expect(() => mapPassportalResponse('pp', ok(body))).toThrow(expect.objectContaining({ kind: 'transient', reason: 'malformed_response' }) as UpstreamError);
  });
});
