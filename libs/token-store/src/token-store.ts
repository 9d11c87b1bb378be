import { Inject } from '@nestjs/common';

/** An access token as held by the broker (never a refresh token or client secret). */
export interface StoredToken {
  accessToken: string;
  tokenType: string;
  /** Epoch ms. */
  expiresAt: number;
  /**
   * Epoch ms, when its refresh began, before the upstream was asked: `expiresAt - obtainedAt` is the
   * lifetime the provider issued, which refresh timing divides.
   */
  obtainedAt: number;
  /**
   * Epoch ms, when the refresh had it ready to hand out (a rotating provider's credentials
   * committed): `expiresAt - readyAt` is the most a fresh token can give a caller's `minTtl`.
   * Absent in tokens stored by versions before it.
   */
  readyAt?: number;
  /**
   * Orders the writes of one provider's token, so a holder that lost the race never replaces a
   * newer token: the credential-store version of the refresh for rotating providers, the time the
   * request was sent for the others. Neither lives in Redis, so neither goes backwards when Redis
   * loses its data.
   */
  fence: number;
  /** Provider-specific state for the next refresh (e.g. Passportal's refresh token); never sent to callers. */
  state?: Record<string, string>;
}

/**
 * A rotated credential the upstream issued that the credential store has not accepted yet (the
 * outbox), sealed with the master key: the token store holds it without being able to read it.
 */
export interface OutboxEntry {
  attemptId: string;
  sealed: string;
}

/** What every replica and the ops dashboard should know about a provider's health. */
export interface ProviderStatus {
  /** `degraded`: tokens are served but a rotated credential still waits for its durable write. */
  state: 'ok' | 'degraded' | 'failing' | 'reauthorization_required';
  consecutiveFailures: number;
  lastRefreshAt?: number;
  lastError?: { code: string; message: string; at: number };
  /** While failing: no regular upstream call before this time (backoff, or the upstream's Retry-After). */
  retryAt?: number;
  /** The upstream's own Retry-After: not even a probe before this time. */
  notBefore?: number;
  /** A rotated refresh token is in the outbox, not yet in the credential store. */
  durableWritePending?: boolean;
}

/**
 * Shared token state: Redis across replicas, or process memory in embedded mode. Every key of a
 * provider carries the same Redis Cluster hash tag, `{<provider>}` (README "Redis keys").
 */
export interface TokenStore {
  readonly description: string;
  /**
   * This process's copy of the current token, without a round trip: only while it is known to be
   * current (in Redis mode: while the replica receives every replica's write announcements).
   */
  peek(provider: string): StoredToken | undefined;
  /**
   * Since when (epoch ms) the store is known to be unreachable; undefined while it is reachable, and
   * always in embedded mode. A command sent meanwhile waits up to a failover's length before it
   * fails, so code that must not wait (the request path, readiness, the status page) asks first.
   */
  unreachableSince(): number | undefined;
  /**
   * While the store is unreachable: the newest token this process knows for the provider, kept from
   * before the connection was lost or obtained since. Its own expiry is the only bound on it.
   */
  lastKnown(provider: string): StoredToken | undefined;
  get(provider: string): Promise<StoredToken | undefined>;
  /**
   * `get` for a caller that must not wait for Redis: throws TokenStoreUnavailableError at once while
   * it is known to be away, and the moment the connection is lost while the read is pending (a read
   * sent just before would otherwise wait until Redis is back).
   */
  getWithoutWaiting(provider: string): Promise<StoredToken | undefined>;
  /**
   * Stores the token unless one with a higher fence was stored before; false when fenced off.
   * The entry expires with the token. While the store is unreachable the token is kept in this
   * process and written (fenced) once the store is back.
   */
  put(provider: string, token: StoredToken): Promise<boolean>;
  /** Forgets the token and its fence (the provider's credentials were removed; versions start again). */
  delete(provider: string): Promise<void>;
  getStatus(provider: string): Promise<ProviderStatus | undefined>;
  /** The statuses of many providers, in their order, in one command: a listing of every provider reads a batch at a time. */
  getStatuses(providers: readonly string[]): Promise<Array<ProviderStatus | undefined>>;
  /**
   * Replaces the status and returns the one it replaced, in one atomic step: of any writers racing
   * on one provider, each sees exactly the write before its own, so every state change in the
   * status's history is observed by exactly one writer (alerts rely on it).
   */
  putStatus(provider: string, status: ProviderStatus): Promise<ProviderStatus | undefined>;
  getOutbox(provider: string): Promise<OutboxEntry | undefined>;
  putOutbox(provider: string, entry: OutboxEntry): Promise<void>;
  /** Removes the outbox entry only if it is still the one from `attemptId`. */
  deleteOutbox(provider: string, attemptId: string): Promise<void>;
  /**
   * The half-open probe while a provider backs off: true for exactly one caller per `intervalMs`
   * across all replicas.
   */
  takeProbe(provider: string, intervalMs: number): Promise<boolean>;
  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
}

export const TOKEN_STORE = Symbol('TOKEN_STORE');
export const InjectTokenStore = (): ParameterDecorator => Inject(TOKEN_STORE);
