/** A JWT `exp` further out than this is not seconds (milliseconds, most likely): not believed. */
const MAX_JWT_LIFETIME_MS = 5 * 366 * 86_400_000;

/**
 * The `exp` of an access token that is a JWT (RFC 7519 §4.1.4), in epoch ms; undefined when the
 * token is opaque or carries no usable `exp`. Read only to know when the token ends, never trusted
 * for anything else, so the signature is not checked.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = typeof claims === 'object' && claims !== null ? (claims as { exp?: unknown }).exp : undefined;
    if (typeof exp !== 'number' || !Number.isFinite(exp) || exp * 1000 - Date.now() > MAX_JWT_LIFETIME_MS) return undefined;
    return exp * 1000;
  } catch {
    return undefined;
  }
}
