import { IssuedToken, TokenClient, TokenRequest } from '../core/provider-type';
import { OAuth2TokenEndpoint } from '../oauth2/oauth2-token-endpoint';

/** The client-credentials grant (RFC 6749 §4.4): a refresh token in the answer is not used (§4.4.3). */
export class ClientCredentialsTokenClient implements TokenClient {
  constructor(private readonly endpoint: OAuth2TokenEndpoint) {}

  async requestToken({ credentials }: TokenRequest): Promise<IssuedToken> {
    const grant = await this.endpoint.request({ grant_type: 'client_credentials' }, credentials);
    return { accessToken: grant.accessToken, tokenType: grant.tokenType, expiresAt: grant.expiresAt };
  }
}
