import { BrokerError } from './broker-error';

/** Check-and-set failed: someone wrote the record after the version we read. */
export class CredentialConflictError extends BrokerError {
  readonly code = 'credential_conflict';
  constructor(
    readonly provider: string,
    readonly expectedVersion: number,
  ) {
    super(`Credentials for "${provider}" changed since version ${expectedVersion} was read`);
  }
}

/** The credential store cannot be reached or refused the operation (Vault down, disk error). */
export class CredentialStoreUnavailableError extends BrokerError {
  readonly code = 'credential_store_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Stored data cannot be decrypted or parsed: a person must look at it. */
export class CredentialStoreCorruptError extends BrokerError {
  readonly code = 'credential_store_corrupt';
}

export class TokenStoreUnavailableError extends BrokerError {
  readonly code = 'token_store_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Redis is known to be down: refused at once, without waiting for it (README "When Redis is away"). */
export class TokenStoreUnreachableError extends TokenStoreUnavailableError {
  constructor(
    /** Epoch ms the connection was lost. */
    readonly since: number,
    /** What the broker does instead, or why it cannot. */
    consequence: string,
  ) {
    super(`Redis is unavailable since ${new Date(since).toISOString()}: ${consequence}`);
  }
}

/** The distributed lock could not be taken within the wait budget. */
export class LockUnavailableError extends BrokerError {
  readonly code = 'lock_unavailable';
  constructor(readonly resource: string) {
    super(`Could not take lock "${resource}" in time`);
  }
}

/** A dependency the broker needs (token store, credential store) is unreachable. */
export class NotReadyError extends BrokerError {
  readonly code = 'not_ready';
}

/** The refresh-token outbox in Redis cannot be opened with this replica's master key. */
export class OutboxUnreadableError extends BrokerError {
  readonly code = 'outbox_unreadable';
  constructor(readonly provider: string) {
    super(`The pending refresh token of "${provider}" in Redis cannot be decrypted here: every replica needs the same BROKER_MASTER_KEY`);
  }
}
