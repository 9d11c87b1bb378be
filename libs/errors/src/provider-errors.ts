import { BrokerError } from './broker-error';

export class CredentialsMissingError extends BrokerError {
  readonly code = 'credentials_missing';
  constructor(readonly provider: string) {
    super(`No credentials are stored for "${provider}"; set them with PUT /admin/credentials/${provider}`);
  }
}

/** A transient failure: the caller may retry after `retryAfterSeconds`. */
export class UpstreamUnavailableError extends BrokerError {
  readonly code = 'upstream_unavailable';
  constructor(
    readonly provider: string,
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A permanent failure: a person must fix credentials or re-authorize the account. */
export class ReauthorizationRequiredError extends BrokerError {
  readonly code = 'reauthorization_required';
  constructor(
    readonly provider: string,
    /** The upstream's refusal (`invalid_grant`, `invalid_client`, ...). */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
