import { BrokerError } from './broker-error';

/**
 * How an upstream token endpoint failed. `permanent` needs a person (bad credentials, revoked
 * grant); `transient` may succeed later (timeouts, 5xx, 429, garbage bodies).
 */
export type UpstreamFailureKind = 'permanent' | 'transient';

/** Thrown by provider clients; the refresh service turns it into a provider state. */
export class UpstreamError extends BrokerError {
  readonly code = 'upstream_error';
  constructor(
    readonly provider: string,
    readonly kind: UpstreamFailureKind,
    /** Short machine-readable reason: `invalid_client`, `http_503`, `timeout`, `malformed_response`, ... */
    readonly reason: string,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }
}
