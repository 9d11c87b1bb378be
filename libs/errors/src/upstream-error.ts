import { BrokerError } from './broker-error';

/**
 * How an upstream token endpoint failed. `permanent` needs a person (bad credentials, revoked
 * grant); `transient` may succeed later (timeouts, 5xx, 429, garbage bodies).
 */
export type UpstreamFailureKind = 'permanent' | 'transient';

/**
 * The only reasons an upstream failure may carry: they reach callers, /providers, the status page
 * and the logs, so whatever else an upstream says becomes `http_<status>`. The RFC 6749 5.2 codes
 * (plus `temporarily_unavailable`), the broker's words for a call that went wrong, and for a call
 * it did not make (`rate_limited`: over the provider's limit; `superseded`: credentials changed).
 */
export type UpstreamReason =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'temporarily_unavailable'
  | `http_${number}`
  | 'timeout'
  | 'network_error'
  | 'malformed_response'
  | 'rate_limited'
  | 'superseded';

/** Thrown by provider clients; the refresh service turns it into a provider state. */
export class UpstreamError extends BrokerError {
  readonly code = 'upstream_error';
  constructor(
    readonly provider: string,
    readonly kind: UpstreamFailureKind,
    readonly reason: UpstreamReason,
    /** The broker's own words: never text from the upstream's answer. */
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }
}
