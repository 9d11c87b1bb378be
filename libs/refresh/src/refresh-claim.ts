import { createHash } from 'node:crypto';

/** Credential-store fields that start with this are the broker's own: never sent upstream or shown. */
export const RESERVED_FIELD_PREFIX = '_broker_';
/** "Replica X is spending the refresh token now" (see RefreshClaim). */
export const CLAIM_FIELD = '_broker_claim';
/** "The upstream refused this chain; a person must store new credentials" (see RefusalMark). */
export const REFUSAL_FIELD = '_broker_refused';

/**
 * Written with check-and-set before the upstream call, so only one writer ever presents a given
 * token. The holder renews `deadline` while its call runs; past it, the holder is presumed dead and
 * the outcome unknown.
 */
export interface RefreshClaim {
  attemptId: string;
  deadline: number;
  /** Set when this attempt re-presents a token whose earlier attempt had an unknown outcome. */
  recovering: boolean;
}

/** Why a rotating chain needs a person. Lives in the credential store, so Redis loss cannot forget it. */
export interface RefusalMark {
  code: string;
  message: string;
  at: number;
}

export function readClaim(values: Record<string, string>): RefreshClaim | undefined {
  return readJsonField<RefreshClaim>(values, CLAIM_FIELD);
}

export function readRefusal(values: Record<string, string>): RefusalMark | undefined {
  return readJsonField<RefusalMark>(values, REFUSAL_FIELD);
}

export function withClaim(values: Record<string, string>, claim: RefreshClaim | undefined): Record<string, string> {
  return withJsonField(values, CLAIM_FIELD, claim);
}

/** The credentials without a claim, marked as refused by the upstream. */
export function withRefusal(values: Record<string, string>, mark: RefusalMark): Record<string, string> {
  return withJsonField(withClaim(values, undefined), REFUSAL_FIELD, mark);
}

/** The fields a provider client and an admin may see. */
export function publicFields(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !key.startsWith(RESERVED_FIELD_PREFIX)));
}

/** Identifies a refresh token without keeping it (the outbox records which token it succeeded). */
export function fingerprint(secret: string | undefined): string {
  return createHash('sha256')
    .update(secret ?? '')
    .digest('base64url')
    .slice(0, 22);
}

function readJsonField<T>(values: Record<string, string>, field: string): T | undefined {
  const raw = values[field];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function withJsonField(values: Record<string, string>, field: string, value: object | undefined): Record<string, string> {
  const { [field]: _previous, ...rest } = values;
  return value ? { ...rest, [field]: JSON.stringify(value) } : rest;
}
