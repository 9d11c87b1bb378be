import { UpstreamError } from '@app/errors';
import { failureFromResponse, oauthErrorCode, parseJsonObject } from './upstream-response';

const answer = (status: number, text: string, contentType = 'application/json') => ({ status, contentType, text });

describe('upstream answers as failures', () => {
  it.each(['invalid_client', 'invalid_grant', 'temporarily_unavailable'])('keeps the RFC 6749 code %p', (code) => {
    expect(oauthErrorCode({ error: code })).toBe(code);
  });

  it.each(['bad secret s3cr3t for gen-id', 'access_denied', 'Invalid_Client', 'invalid_client ', 'simulated_failure', 42])(
    'drops %p',
    (code) => {
      expect(oauthErrorCode({ error: code })).toBeUndefined();
    },
  );

  it('names a refusal with an unknown code by its status only', () => {
    const failure = failureFromResponse('p', answer(400, '{"error":"bad secret s3cr3t"}'), oauthErrorCode({ error: 'bad secret s3cr3t' }));
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'http_400' });
    expect(failure.message).not.toContain('s3cr3t');
  });

  it('never repeats an upstream content type or body in a malformed-answer message', () => {
    const error = (() => {
      try {
        return parseJsonObject('p', answer(200, 'token s3cr3t', 'text/s3cr3t'));
      } catch (e) {
        return e as UpstreamError;
      }
    })() as UpstreamError;
    expect(error).toMatchObject({ reason: 'malformed_response' });
    expect(error.message).not.toContain('s3cr3t');
  });
});
