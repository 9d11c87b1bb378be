import { readTokenRequest, SimulatorClient, TokenRequestContract } from '../../oauth2/testing/token-request-contract';
import { IssuedTokens } from '../../testing/issued-tokens';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';

export interface ClientCredentialsSimulatorOptions extends SimulatorOptions, Partial<TokenRequestContract> {
  path?: string;
  /** Required in every request, and repeated in the answer. */
  scope?: string;
  /** The documented lifetime when `tokenLifetimeSeconds` does not scale it down. */
  defaultLifetimeSeconds?: number;
  /** Issued access tokens look like `<prefix>-<hex>`. */
  tokenPrefix?: string;
  tokenType?: string;
}

/** A strict RFC 6749 §4.4 token endpoint with the body format and client authentication it is told to expect. */
export class OAuth2ClientCredentialsSimulator extends SimulatorServer {
  readonly tokens = new IssuedTokens();

  constructor(
    private readonly client: SimulatorClient,
    private readonly options: ClientCredentialsSimulatorOptions = {},
  ) {
    super();
  }

  protected handle(request: SimulatorRequest): SimulatorReply {
    const { path = '/oauth/token', bodyFormat = 'form', clientAuth = 'body', invalidClientStatus = 401, scope } = this.options;
    if (request.method !== 'POST' || request.path !== path) return { status: 404, body: { error: 'not_found' } };
    const read = readTokenRequest(request, { bodyFormat, clientAuth, invalidClientStatus }, this.client);
    if ('refusal' in read) return read.refusal;
    if (read.params.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (scope !== undefined && read.params.scope !== scope) return { status: 400, body: { error: 'invalid_scope' } };
    const lifetime = this.options.tokenLifetimeSeconds ?? this.options.defaultLifetimeSeconds ?? 3600;
    const accessToken = this.tokens.issue(this.options.tokenPrefix ?? 'oa', lifetime);
    const tokenType = this.options.tokenType ?? 'bearer';
    return { status: 200, body: { access_token: accessToken, token_type: tokenType, expires_in: lifetime, ...(scope ? { scope } : {}) } };
  }
}
