import { BrokerError } from './broker-error';

/** The connect flow cannot start for this provider: no authorizeUrl, no PUBLIC_URL, or no client stored yet. */
export class ConnectUnavailableError extends BrokerError {
  readonly code = 'connect_unavailable';
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(message);
  }
}

/** A callback whose `state` the broker did not issue, or issued and saw used or expire. */
export class ConnectStateInvalidError extends BrokerError {
  readonly code = 'connect_state_invalid';
  constructor() {
    super('This authorization answer is unknown, expired (after 10 minutes) or was already used');
  }
}

/** The authorization server sent the browser back with an `error` (the person declined, or the server refused). */
export class AuthorizationDeniedError extends BrokerError {
  readonly code = 'authorization_denied';
  constructor(
    readonly provider: string,
    /** An RFC 6749 §4.1.2.1 code, or `error` for anything else: the server's own text is never repeated. */
    readonly reason: string,
  ) {
    super(`The authorization server did not authorize "${provider}" (${reason})`);
  }
}

/** The code could not be exchanged for a refresh token. */
export class CodeExchangeFailedError extends BrokerError {
  readonly code = 'code_exchange_failed';
  constructor(
    readonly provider: string,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
