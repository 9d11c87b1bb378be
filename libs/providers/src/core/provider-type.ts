import { ProviderInstanceConfig } from '@app/config';
import { UpstreamHttpClient } from './upstream-http-client';

/** What a provider hands back for one successful token request. */
export interface IssuedToken {
  accessToken: string;
  tokenType: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /**
   * Credential fields the upstream rotated and that must be persisted before the old value is
   * forgotten (Passolution's single-use `refresh_token`). Absent for providers that don't rotate.
   */
  rotatedCredentials?: Record<string, string>;
  /** Non-secret-to-callers state to keep beside the token for the next call (e.g. a provider's own refresh token). */
  state?: Record<string, string>;
}

/** What a client gets for one token request. */
export interface TokenRequest {
  credentials: Record<string, string>;
  /** The token currently held, if any, with its state: lets a provider use its own refresh call. */
  current?: { accessToken: string; expiresAt: number; state?: Record<string, string> };
}

/** One configured provider instance's way of getting tokens. */
export interface TokenClient {
  requestToken(request: TokenRequest): Promise<IssuedToken>;
}

/** A configured provider instance with its type-specific options already validated. */
export interface ProviderInstance<Options = unknown> {
  id: string;
  type: string;
  baseUrl?: string;
  refreshBefore: ProviderInstanceConfig['refreshBefore'];
  options: Options;
  /** True when tokens come from a single-use credential: the strict claim/commit refresh protocol applies. */
  rotatesCredentials: boolean;
  /** Upstream token calls allowed per minute across all replicas; undefined = no limit. */
  requestsPerMinute?: number;
  client: TokenClient;
}

/**
 * A kind of upstream (`smartdocumentor`, `oauth2-client-credentials`, ...). One class per provider
 * folder, decorated with `@ProviderType()` so the registry finds it.
 */
export interface ProviderTypeDefinition<Options = unknown> {
  readonly type: string;
  /** Used when the instance config has no `baseUrl`; undefined means `baseUrl` is required. */
  readonly defaultBaseUrl?: string;
  readonly rotatesCredentials?: boolean;
  /** The upstream's documented rate limit for token calls, when it has one. */
  readonly defaultRequestsPerMinute?: number;
  /** class-validator DTO for the credential fields; unknown fields are rejected. */
  readonly credentialsSchema: new () => object;
  /**
   * Checks the type-specific fields and resolves endpoints; throws ConfigError naming provider
   * and field. `config.baseUrl` already holds `defaultBaseUrl` when the instance set none.
   */
  parseOptions(config: ProviderInstanceConfig): Options;
  createClient(instance: Omit<ProviderInstance<Options>, 'client'>, http: UpstreamHttpClient): TokenClient;
}
