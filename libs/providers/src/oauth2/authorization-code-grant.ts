import { OAuth2Grant, OAuth2TokenEndpoint } from './oauth2-token-endpoint';

/** The parameters of one authorization request (RFC 6749 §4.1.1 with RFC 7636 §4.3). */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  /** BASE64URL(SHA-256(code_verifier)): sent with `code_challenge_method=S256`. */
  codeChallenge: string;
}

/** The code a browser brought back, with what must match the authorization request. */
export interface CodeExchange {
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

/**
 * A provider a person authorizes in a browser: where the browser goes, and how the code it comes back
 * with becomes tokens. Offered by types whose instances set an `authorizeUrl`.
 */
export interface AuthorizationCodeFlow {
  authorizationUrl(request: AuthorizationRequest): string;
  /** `credentials` hold client_id and client_secret; the answer normally carries the refresh token the provider lives on. */
  exchangeCode(exchange: CodeExchange, credentials: Record<string, string>): Promise<OAuth2Grant>;
}

/**
 * The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636), against the same token endpoint
 * and with the same client authentication and body format as the provider's refreshes.
 */
export class AuthorizationCodeGrant implements AuthorizationCodeFlow {
  constructor(
    private readonly endpoint: OAuth2TokenEndpoint,
    private readonly authorizeUrl: string,
    private readonly scope: string | undefined,
  ) {}

  /** The configured URL keeps its own query parameters (some servers need e.g. `audience`); ours are added. */
  authorizationUrl({ clientId, redirectUri, state, codeChallenge }: AuthorizationRequest): string {
    const url = new URL(this.authorizeUrl);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      ...(this.scope ? { scope: this.scope } : {}),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  }

  /** §4.1.3: `scope` is no parameter of this request; the grant has the scope the person consented to. */
  exchangeCode({ code, codeVerifier, redirectUri }: CodeExchange, credentials: Record<string, string>): Promise<OAuth2Grant> {
    const grant = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier };
    return this.endpoint.request(grant, credentials, { withScope: false });
  }
}
