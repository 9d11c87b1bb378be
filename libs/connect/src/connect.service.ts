import { Inject, Injectable, Logger } from '@nestjs/common';
import { CredentialsAdminService } from '@app/credential-admin';
import { CachedCredentials, InjectSecretBox, type SecretBox } from '@app/credentials';
import {
  AuthorizationDeniedError,
  CodeExchangeFailedError,
  ConnectStateInvalidError,
  ConnectUnavailableError,
  UpstreamError,
} from '@app/errors';
import { ProviderRegistry, type AuthorizationCodeFlow, type OAuth2Grant } from '@app/providers';
import { TokenService } from '@app/refresh';
import { CONNECT_OPTIONS, type ConnectModuleOptions } from './connect.module-definition';
import { InjectConnectStateStore, type ConnectStateStore, type PendingAuthorization } from './connect-state-store';
import { codeChallenge, randomSecret, stateHash } from './pkce';

/** How long a person has between starting the flow and the authorization server sending them back. */
export const STATE_TTL_MS = 10 * 60_000;
export const CALLBACK_PATH = '/oauth/callback';
/** RFC 6749 §4.1.2.1: the only words of an error answer the broker repeats. */
const AUTHORIZATION_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/** What the authorization server sent the browser back with (RFC 6749 §4.1.2). */
export interface AuthorizationCallback {
  state?: string;
  code?: string;
  error?: string;
}

export interface Connected {
  provider: string;
  /** Epoch ms of the first token's expiry; undefined when that first refresh did not succeed (the status shows why). */
  tokenExpiresAt?: number;
}

/**
 * The connect flow (authorization code with PKCE): a person authorizes a provider's client in a
 * browser, and the refresh token the provider lives on is stored as if an admin had PUT it.
 */
@Injectable()
export class ConnectService {
  private readonly logger = new Logger(ConnectService.name);

  constructor(
    @Inject(CONNECT_OPTIONS) private readonly options: Pick<ConnectModuleOptions, 'publicUrl'>,
    private readonly registry: ProviderRegistry,
    @InjectConnectStateStore() private readonly states: ConnectStateStore,
    @InjectSecretBox() private readonly box: SecretBox,
    private readonly credentials: CachedCredentials,
    private readonly admin: CredentialsAdminService,
    private readonly tokens: TokenService,
  ) {}

  /** Checks that `provider` can be connected now; throws ConnectUnavailableError saying what is missing. */
  available(provider: string): AuthorizationCodeFlow {
    const flow = this.registry.get(provider).authorization;
    if (!flow)
      throw new ConnectUnavailableError(provider, `Provider "${provider}" has no authorizeUrl: it cannot be connected in a browser`);
    if (!this.options.publicUrl)
      throw new ConnectUnavailableError(
        provider,
        'Set PUBLIC_URL to use the connect flow: the authorization server sends the browser back there',
      );
    return flow;
  }

  /** Where to send the person's browser; the state it carries is good once, for 10 minutes, for this provider only. */
  async start(provider: string): Promise<string> {
    const flow = this.available(provider);
    const client = await this.clientOf(provider);
    const state = randomSecret();
    const verifier = randomSecret();
    const key = stateHash(state);
    const redirectUri = `${this.options.publicUrl}${CALLBACK_PATH}`;
    await this.states.put(
      key,
      { provider, sealedVerifier: this.box.seal(verifier, sealContext(provider, key)), redirectUri },
      STATE_TTL_MS,
    );
    this.logger.log({ msg: `Connect flow for ${provider} started`, event: 'connect', provider, outcome: 'started' });
    return flow.authorizationUrl({ clientId: client.client_id, redirectUri, state, codeChallenge: codeChallenge(verifier) });
  }

  /**
   * Accepts only a state this broker issued and nobody used, exchanges the code with its verifier,
   * and stores the refresh token through the admin path (check-and-set; refusal mark cleared; the
   * provider leaves `reauthorization_required`). Then refreshes at once, so tokens are served now.
   */
  async finish(callback: AuthorizationCallback): Promise<Connected> {
    const key = callback.state ? stateHash(callback.state) : undefined;
    const pending = key && (await this.states.take(key));
    if (!key || !pending) throw new ConnectStateInvalidError();
    const { provider } = pending;
    if (callback.error !== undefined) {
      this.logger.warn({
        msg: `Connect flow for ${provider}: the authorization server answered an error`,
        event: 'connect',
        provider,
        outcome: 'denied',
      });
      throw new AuthorizationDeniedError(provider, AUTHORIZATION_ERRORS.has(callback.error) ? callback.error : 'error');
    }
    if (!callback.code)
      throw new CodeExchangeFailedError(provider, 'no_code', 'The authorization server sent the browser back without a code');
    const client = await this.clientOf(provider);
    const grant = await this.exchange(pending, key, callback.code, client);
    const summary = await this.admin.store(provider, { ...client, refresh_token: grant.refreshToken! });
    this.logger.log({
      msg: `${provider} connected (credentials version ${summary.version})`,
      event: 'connect',
      provider,
      outcome: 'connected',
    });
    const token = await this.tokens.refreshNow(provider).catch(() => undefined); // its outcome is in the provider status
    return { provider, tokenExpiresAt: token?.expiresAt };
  }

  private async exchange(pending: PendingAuthorization, key: string, code: string, client: Record<string, string>): Promise<OAuth2Grant> {
    const { provider } = pending;
    const flow = this.available(provider);
    let verifier: string;
    try {
      verifier = this.box.open(pending.sealedVerifier, sealContext(provider, key));
    } catch {
      throw new ConnectStateInvalidError(); // sealed for another provider or state, or with another master key
    }
    let grant: OAuth2Grant;
    try {
      grant = await flow.exchangeCode({ code, codeVerifier: verifier, redirectUri: pending.redirectUri }, client);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      this.logger.warn({
        msg: `Connect flow for ${provider}: code exchange failed (${error.reason})`,
        event: 'connect',
        provider,
        outcome: 'exchange_failed',
      });
      throw new CodeExchangeFailedError(provider, error.reason, `The code could not be exchanged: ${error.message}`, { cause: error });
    }
    if (!grant.refreshToken) {
      const message =
        "The authorization server issued no refresh token; check scope (many servers need offline_access) and the client's grant types";
      throw new CodeExchangeFailedError(provider, 'no_refresh_token', message);
    }
    return grant;
  }

  /** The client fields stored for the provider: the flow authorizes this client. */
  private async clientOf(provider: string): Promise<{ client_id: string; client_secret: string }> {
    const values = (await this.credentials.getFresh(provider))?.values;
    if (!values?.client_id || !values.client_secret) {
      throw new ConnectUnavailableError(
        provider,
        `Store the client first: PUT /admin/credentials/${provider} with client_id and client_secret`,
      );
    }
    return { client_id: values.client_id, client_secret: values.client_secret };
  }
}

/** Binds a sealed verifier to its provider and state: it opens for that pair only. */
function sealContext(provider: string, key: string): string {
  return `connect-verifier:${provider}:${key}`;
}
