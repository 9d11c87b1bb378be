/**
 * Portfoleon's `b64token` is base64 of a signed token whose *header* carries `exp` and `iat`
 * (Unix seconds). Returns the expiry in epoch ms, or undefined when it cannot be read.
 */
export function readPortfoleonExpiry(b64token: string): number | undefined {
  try {
    const signed = Buffer.from(b64token, 'base64').toString('utf8');
    const [header] = signed.split('.');
    const claims = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The two documented error messages, read from `{"message": {"error": "..."}}`, in RFC 6749 words:
 * both say the refresh chain's grant has ended. Portfoleon's own text is never repeated.
 */
export function portfoleonErrorCode(body: Record<string, unknown> | undefined): 'invalid_grant' | undefined {
  const message = body?.message;
  const error = typeof message === 'object' && message !== null ? (message as { error?: unknown }).error : undefined;
  return error === 'Token expired' || error === 'Authentication expired' ? 'invalid_grant' : undefined;
}
