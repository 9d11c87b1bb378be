import { Inject } from '@nestjs/common';

/** One provider's credential fields as stored, with the version used for check-and-set. */
export interface CredentialRecord {
  values: Record<string, string>;
  /** Starts at 1 and grows by one per write: the fencing number of the refresh protocol. */
  version: number;
  updatedAt: string;
}

/**
 * Where client secrets, API keys and current refresh tokens live. Implementations: encrypted
 * file (embedded default) and HashiCorp Vault KV v2.
 */
export interface CredentialStore {
  readonly description: string;
  /**
   * A service every replica reaches (Vault), as opposed to this host's own file: when it is away it
   * is away for every replica at once, so readiness reports it without taking them all out of service.
   */
  readonly shared: boolean;
  /** Undefined when nothing is stored for the provider. */
  get(provider: string): Promise<CredentialRecord | undefined>;
  /**
   * Replaces the provider's fields. With `expectedVersion` the write is check-and-set: it throws
   * CredentialConflictError unless the stored version equals it (0 = must not exist yet).
   */
  put(provider: string, values: Record<string, string>, expectedVersion?: number): Promise<CredentialRecord>;
  delete(provider: string): Promise<void>;
  /** Throws when the store is unreachable or unusable. */
  ping(): Promise<void>;
  /**
   * Only a store kept in one file can be lost, and then only a person may start it afresh
   * (`credentials init`): creates an empty store where there is none; false when one exists.
   */
  createEmpty?(): Promise<boolean>;
}

export const CREDENTIAL_STORE = Symbol('CREDENTIAL_STORE');
export const InjectCredentialStore = (): ParameterDecorator => Inject(CREDENTIAL_STORE);
