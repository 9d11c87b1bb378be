import { IssuedToken, TokenClient, TokenRequest } from '../core/provider-type';
import { OAuth2TokenEndpoint } from '../oauth2/oauth2-token-endpoint';

/**
 * The refresh-token grant (RFC 6749 §6). A new refresh token in the answer is handed back as a
 * rotated credential, which the refresh protocol persists before anything else; an answer without
 * one (or with the same one) rotated nothing, and the current token stays.
 */
export class RefreshTokenClient implements TokenClient {
  constructor(private readonly endpoint: OAuth2TokenEndpoint) {}

  async requestToken({ credentials }: TokenRequest): Promise<IssuedToken> {
    // no scope (§6: omitted means the scope granted): a person may have granted less than was asked
    // for, and a server refuses a refresh that asks for more (invalid_scope)
    const grant = await this.endpoint.request({ grant_type: 'refresh_token', refresh_token: credentials.refresh_token }, credentials, {
      withScope: false,
    });
    const rotated = grant.refreshToken !== undefined && grant.refreshToken !== credentials.refresh_token;
    return {
      accessToken: grant.accessToken,
      tokenType: grant.tokenType,
      expiresAt: grant.expiresAt,
      rotatedCredentials: rotated ? { refresh_token: grant.refreshToken! } : undefined,
    };
  }
}
