import { Inject } from '@nestjs/common';

/** What the broker keeps between sending a browser to the authorization server and its return. */
export interface PendingAuthorization {
  provider: string;
  /** The PKCE code_verifier, sealed with the master key and bound to this provider and state. */
  sealedVerifier: string;
  /** Exactly as sent in the authorization request: the code exchange must repeat it (RFC 6749 §4.1.3). */
  redirectUri: string;
}

/**
 * Pending authorizations by the hash of their `state`, shared by all replicas so any of them can
 * finish a flow another started: Redis with REDIS_URL, memory in embedded mode.
 */
export interface ConnectStateStore {
  readonly description: string;
  put(stateHash: string, pending: PendingAuthorization, ttlMs: number): Promise<void>;
  /** Reads and removes in one step, so a state is good once; undefined when unknown or expired. */
  take(stateHash: string): Promise<PendingAuthorization | undefined>;
}

export const CONNECT_STATE_STORE = Symbol('CONNECT_STATE_STORE');
export const InjectConnectStateStore = (): ParameterDecorator => Inject(CONNECT_STATE_STORE);
