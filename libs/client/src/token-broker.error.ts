/** What went wrong, as far as the client could tell; never the caller key or a token. */
export interface TokenBrokerFailure {
  provider: string;
  /** HTTP status of the broker's last answer; undefined when no answer arrived (network failure, timeout). */
  status: number | undefined;
  /**
   * The broker's `error` field (`upstream_unavailable`, `forbidden`, ...), `http_<status>` for an answer
   * without one, or the client's own: `network_error`, `timeout`, `invalid_response`.
   */
  code: string;
  /** Seconds the broker asked the caller to wait (its Retry-After), when it said. */
  retryAfterSeconds: number | undefined;
  /** HTTP requests made for this call, retries included. */
  attempts: number;
}

/** A `token()` call that did not produce a token, after any retries the client was allowed. */
export class TokenBrokerError extends Error implements TokenBrokerFailure {
  override readonly name = 'TokenBrokerError';
  readonly provider: string;
  readonly status: number | undefined;
  readonly code: string;
  readonly retryAfterSeconds: number | undefined;
  readonly attempts: number;

  constructor(failure: TokenBrokerFailure, detail: string, options?: { cause?: unknown }) {
    const answer = failure.status === undefined ? failure.code : `${failure.status} ${failure.code}`;
    const tries = failure.attempts === 1 ? '1 attempt' : `${failure.attempts} attempts`;
    super(`Token broker gave no token for "${failure.provider}" (${answer}, ${tries}): ${detail}`, options);
    this.provider = failure.provider;
    this.status = failure.status;
    this.code = failure.code;
    this.retryAfterSeconds = failure.retryAfterSeconds;
    this.attempts = failure.attempts;
  }
}
