import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: the `state` of one authorization request and the PKCE code_verifier (43 characters, RFC 7636 §4.1). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 §4.2, S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** States are stored by their hash: whoever reads the store cannot finish a flow with what they read. */
export function stateHash(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('base64url');
}
