import type { SecretBox } from '@app/credentials';
import type { OutboxEntry } from '@app/token-store';

/**
 * Rotated credentials the upstream issued that the credential store has not accepted yet. Only
 * what the commit needs: the rotated fields, the claim's version, and which token they succeeded
 * (as a fingerprint), never the client secret.
 */
export interface PendingRotation {
  rotated: Record<string, string>;
  /** The credential-store version the commit checks-and-sets against (the claim as last renewed). */
  baseVersion: number;
  attemptId: string;
  /** Fingerprint of the refresh token that was presented to get `rotated`. */
  spent: string;
  since: number;
}

/** The outbox entry in Redis: sealed with the master key, bound to the provider. */
export function sealPending(box: SecretBox, provider: string, pending: PendingRotation): OutboxEntry {
  return { attemptId: pending.attemptId, sealed: box.seal(JSON.stringify(pending), context(provider)) };
}

/** Throws when the entry was sealed with another key or for another provider. */
export function openPending(box: SecretBox, provider: string, entry: OutboxEntry): PendingRotation {
  return JSON.parse(box.open(entry.sealed, context(provider))) as PendingRotation;
}

function context(provider: string): string {
  return `token-broker outbox ${provider}`;
}
