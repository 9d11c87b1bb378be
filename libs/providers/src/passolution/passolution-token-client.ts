import { UpstreamError } from '@app/errors';
import { IssuedToken, TokenClient, TokenRequest } from '../core/provider-type';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { requestOAuth2Token } from '../oauth2/oauth2-token-request';

/**
 * Passolution's refresh-token grant. Each refresh token works once: the answer's new refresh token
 * is returned as a rotated credential, which the refresh protocol persists before anything else.
 */
export class PassolutionTokenClient implements TokenClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly provider: string,
    private readonly tokenUrl: string,
  ) {}

  async requestToken({ credentials }: TokenRequest): Promise<IssuedToken> {
    const grant = await requestOAuth2Token(this.http, {
      provider: this.provider,
      url: this.tokenUrl,
      params: {
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        grant_type: 'refresh_token',
        refresh_token: credentials.refresh_token,
      },
      bodyFormat: 'json',
      clientAuth: 'body',
      defaultExpiresInSeconds: 31_536_000,
    });
    if (!grant.refreshToken) {
      // the old token is spent and no successor came back: only a person can re-authorize
      throw new UpstreamError(this.provider, 'permanent', 'malformed_response', 'Upstream answered without a new refresh_token');
    }
    return {
      accessToken: grant.accessToken,
      tokenType: grant.tokenType,
      expiresAt: grant.expiresAt,
      rotatedCredentials: { refresh_token: grant.refreshToken },
    };
  }
}
