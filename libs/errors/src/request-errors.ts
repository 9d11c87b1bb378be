import { BrokerError } from './broker-error';

export class UnknownProviderError extends BrokerError {
  readonly code = 'unknown_provider';
  constructor(readonly provider: string) {
    super(`No provider named "${provider}" is configured`);
  }
}

/** The request itself is malformed (provider id, query string, body). */
export class InvalidRequestError extends BrokerError {
  readonly code = 'invalid_request';
}

export class UnauthorizedError extends BrokerError {
  readonly code = 'unauthorized';
}

/** A known caller asked for a provider it is not allowed to fetch. */
export class ForbiddenError extends BrokerError {
  readonly code = 'forbidden';
}

/** Admin routes are switched off because BROKER_ADMIN_TOKEN is not set. */
export class AdminDisabledError extends BrokerError {
  readonly code = 'admin_disabled';
  constructor() {
    super('Admin API is disabled: set BROKER_ADMIN_TOKEN to enable it');
  }
}

export class InvalidCredentialsInputError extends BrokerError {
  readonly code = 'invalid_credentials';
  constructor(
    readonly provider: string,
    readonly problems: string[],
  ) {
    super(`Credentials for "${provider}" are invalid: ${problems.join('; ')}`);
  }
}

/** `minTtl` asks for more lifetime than this provider's tokens ever have. */
export class TtlUnattainableError extends BrokerError {
  readonly code = 'min_ttl_unattainable';
  constructor(
    readonly provider: string,
    readonly minTtlSeconds: number,
    readonly lifetimeSeconds: number,
  ) {
    super(`Tokens from "${provider}" live ${lifetimeSeconds}s when fresh; minTtl=${minTtlSeconds} can never be met`);
  }
}

/** Admin asked about credentials that are not stored. */
export class CredentialsNotFoundError extends BrokerError {
  readonly code = 'credentials_not_found';
  constructor(readonly provider: string) {
    super(`No credentials are stored for "${provider}"`);
  }
}

/** The route exists, the method is not offered on it (HEAD on the token route: it would hand out a token). */
export class MethodNotAllowedError extends BrokerError {
  readonly code = 'method_not_allowed';
  constructor(readonly allowed: string[]) {
    super(`Use ${allowed.join(' or ')} on this route`);
  }
}

/** This client address sent too many wrong credentials lately; right ones still work at once. */
export class TooManyFailedAuthenticationsError extends BrokerError {
  readonly code = 'too_many_failed_authentications';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed authentications from this address; failures are forgotten after ${retryAfterSeconds}s without one`);
  }
}

/** A caller made more than CALLER_RATE_LIMIT token requests in the current minute. */
export class CallerRateLimitedError extends BrokerError {
  readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many token requests from this caller this minute; see Retry-After`);
  }
}
