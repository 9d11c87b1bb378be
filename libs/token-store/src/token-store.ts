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

/** What every replica and the ops dashboard should know about a provider's health. */
export interface ProviderStatus {
  state: 'ok' | 'failing' | 'reauthorization_required';
  consecutiveFailures: number;
  lastRefreshAt?: number;
  lastError?: { code: string; message: string; at: number };
  /** While failing: no upstream call before this time (backoff, or the upstream's Retry-After). */
  retryAt?: number;
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
  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
}

export const TOKEN_STORE = Symbol('TOKEN_STORE');
export const InjectTokenStore = (): ParameterDecorator => Inject(TOKEN_STORE);
