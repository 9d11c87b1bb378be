import { ProviderInstanceConfig } from '@app/config';
import type { AuthorizationCodeFlow } from '../oauth2/authorization-code-grant';
import { UpstreamHttpClient } from './upstream-http-client';

/** What a provider hands back for one successful token request. */
export interface IssuedToken {
  accessToken: string;
  tokenType: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /**
   * Credential fields the upstream rotated and that must be persisted before the old value is
   * forgotten (a new single-use `refresh_token`). Absent when nothing rotated.
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

/** What a provider type makes of one instance's fields. */
export interface ProviderSettings<Options = unknown> {
  options: Options;
  /** True when tokens come from a single-use credential: the fenced claim/commit refresh protocol applies. */
  rotatesCredentials: boolean;
}

/** A configured provider instance, its type's fields checked and its defaults resolved. */
export interface ProviderInstance<Options = unknown> extends ProviderSettings<Options> {
  id: string;
  /** What the providers file names: a type or a preset. */
  type: string;
  refreshBefore: ProviderInstanceConfig['refreshBefore'];
  /** Upstream token calls allowed per minute across all replicas; undefined = no limit. */
  requestsPerMinute?: number;
  client: TokenClient;
  /** Set when a person can authorize the client in a browser (the connect flow). */
  authorization?: AuthorizationCodeFlow;
}

/**
 * A kind of upstream mechanism (`oauth2-client-credentials`, `portfoleon`, ...): one folder, one
 * entry in the provider catalog.
 */
export interface ProviderTypeDefinition<Options = unknown> {
  readonly type: string;
  /** Used when the instance config has no `baseUrl`; undefined means the type needs none or requires one. */
  readonly defaultBaseUrl?: string;
  /** class-validator DTO for the credential fields; unknown fields are rejected. */
  readonly credentialsSchema: new () => object;
  /**
   * Checks the type-specific fields and resolves endpoints; throws ConfigError naming provider
   * and field. `config.baseUrl` already holds the default when the instance set none.
   */
  configure(config: ProviderInstanceConfig): ProviderSettings<Options>;
  createClient(instance: Omit<ProviderInstance<Options>, 'client'>, http: UpstreamHttpClient): TokenClient;
  /** For types a person can authorize in a browser; undefined when this instance is not set up for it. */
  createAuthorization?(instance: Omit<ProviderInstance<Options>, 'client'>, http: UpstreamHttpClient): AuthorizationCodeFlow | undefined;
}
