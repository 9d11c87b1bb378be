import { portfoleonErrorCode, readPortfoleonExpiry } from './portfoleon-token';

describe('Portfoleon token header', () => {
  it("reads exp from the docs' sample b64token (header exp 1608818809, 600 s after iat)", () => {
    const sample =
      'ZXlKaGJHY2lPaUpJVXpJMU5pSXNJbVY0Y0NJNk1UWXdPRGd4T0Rnd09Td2lhV0YwSWpveE5qQTRPREU0TWpBNWZRLmV5SnZjbWxuYVc1aGJGOXBjM04xWlY5a1lYUmxJam9pTWpBeU1DMHhNaTB5TkZReE16bzFOam8wT1M0d016Y3pNekFpTENKMWMyVnlYMmxrSWpvaU1TSjkudHVGZ1Y0TG9DNHFZdHp4NmZVUnAyM25fQWV2Z0ZMSjA3U2lkX3h1MUdaTQ==';
    expect(readPortfoleonExpiry(sample)).toBe(1608818809 * 1000);
  });

  it.each(['', 'not base64 at all', Buffer.from('a.b.c').toString('base64'), Buffer.from('e30.x.y').toString('base64')])(
    'gives undefined for %p so the configured lifetime applies',
    (token) => {
      expect(readPortfoleonExpiry(token)).toBeUndefined();
    },
  );

  it('recognises only the two documented error messages, as invalid_grant', () => {
    expect(portfoleonErrorCode({ message: { error: 'Token expired' } })).toBe('invalid_grant');
    expect(portfoleonErrorCode({ message: { error: 'Authentication expired' } })).toBe('invalid_grant');
    expect(portfoleonErrorCode({ message: { error: 'Something else' } })).toBeUndefined();
    expect(portfoleonErrorCode({ message: 'Token expired' })).toBeUndefined();
  });
});
