import { hash } from 'node:crypto';
import type { StoredToken } from '@app/token-store';

/** What the answer and the audit line say about a token, computed once per token, not per request. */
export interface TokenView {
  /** SHA-256 prefix: enough to correlate with a provider's logs, useless to an attacker. */
  fingerprint: string;
  expiresAtIso: string;
}

const views = new WeakMap<StoredToken, TokenView>();

/** Cached per token object: near-cache hits hand out the same object again and again. */
export function viewOf(token: StoredToken): TokenView {
  let view = views.get(token);
  if (!view) {
    view = { fingerprint: hash('sha256', token.accessToken, 'hex').slice(0, 12), expiresAtIso: new Date(token.expiresAt).toISOString() };
    views.set(token, view);
  }
  return view;
}
