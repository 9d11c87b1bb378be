/** The credential-store field that holds a refresh claim; `_broker_` fields are the broker's own. */
export const CLAIM_FIELD = '_broker_claim';
export const RESERVED_FIELD_PREFIX = '_broker_';

/**
 * "Replica X is spending the refresh token now": written with check-and-set before the upstream
 * call, so only one writer ever presents a given token. Past `deadline` the outcome is unknown.
 */
export interface RefreshClaim {
  attemptId: string;
  deadline: number;
  /** Set when this attempt re-presents a token whose earlier attempt had an unknown outcome. */
  recovering: boolean;
}

export function readClaim(values: Record<string, string>): RefreshClaim | undefined {
  const raw = values[CLAIM_FIELD];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as RefreshClaim;
  } catch {
    return undefined;
  }
}

export function withClaim(values: Record<string, string>, claim: RefreshClaim | undefined): Record<string, string> {
  const { [CLAIM_FIELD]: _previous, ...rest } = values;
  return claim ? { ...rest, [CLAIM_FIELD]: JSON.stringify(claim) } : rest;
}

/** The fields a provider client and an admin may see. */
export function publicFields(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !key.startsWith(RESERVED_FIELD_PREFIX)));
}
