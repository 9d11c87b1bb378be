import { Inject } from '@nestjs/common';

/** An access token as held by the broker (never a refresh token or client secret). */
export interface StoredToken {
  accessToken: string;
  tokenType: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms, when the upstream issued it: `expiresAt - obtainedAt` is the provider's lifetime. */
  obtainedAt: number;
  /** Fencing number of the lock holder that wrote it. */
  fence: number;
  /** Provider-specific state for the next refresh (e.g. Passportal's refresh token); never sent to callers. */
  state?: Record<string, string>;
}

/**
 * A rotated credential set the upstream issued but the credential store has not accepted yet (the
 * outbox). It must be committed before any other refresh of the provider, and is never dropped.
 */
export interface PendingCredentials {
  values: Record<string, string>;
  /** The credential-store version the commit must check-and-set against (the claim's version). */
  baseVersion: number;
  attemptId: string;
  since: number;
}

/** What every replica and the ops dashboard should know about a provider's health. */
export interface ProviderStatus {
  /** `degraded`: tokens are served but a rotated credential still waits for its durable write. */
  state: 'ok' | 'degraded' | 'failing' | 'reauthorization_required';
  consecutiveFailures: number;
  lastRefreshAt?: number;
  lastError?: { code: string; message: string; at: number };
  /** While failing: no upstream call before this time (backoff, or the upstream's Retry-After). */
  retryAt?: number;
  /** A rotated refresh token is in the outbox, not yet in the credential store. */
  durableWritePending?: boolean;
}

/** Shared token state: Redis across replicas, or process memory in embedded mode. */
export interface TokenStore {
  readonly description: string;
  get(provider: string): Promise<StoredToken | undefined>;
  /**
   * Stores the token unless a holder with a higher fence already wrote one; false when fenced off.
   * The entry expires with the token.
   */
  put(provider: string, token: StoredToken): Promise<boolean>;
  delete(provider: string): Promise<void>;
  getStatus(provider: string): Promise<ProviderStatus | undefined>;
  putStatus(provider: string, status: ProviderStatus): Promise<void>;
  getPending(provider: string): Promise<PendingCredentials | undefined>;
  putPending(provider: string, pending: PendingCredentials): Promise<void>;
  /** Removes the pending record only if it is still the one from `attemptId`. */
  deletePending(provider: string, attemptId: string): Promise<void>;
  /**
   * Takes one of `perMinute` upstream-call slots shared by all replicas: 0 when granted, else the
   * milliseconds until the next slot.
   */
  takeRateSlot(provider: string, perMinute: number): Promise<number>;
  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
}

export const TOKEN_STORE = Symbol('TOKEN_STORE');
export const InjectTokenStore = (): ParameterDecorator => Inject(TOKEN_STORE);
