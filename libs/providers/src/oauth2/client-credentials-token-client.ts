import { TokenClient, TokenRequest, IssuedToken } from '../core/provider-type';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { OAuth2BodyFormat, OAuth2ClientAuth, requestOAuth2Token } from './oauth2-token-request';

export interface ClientCredentialsSettings {
  provider: string;
  tokenUrl: string;
  bodyFormat: OAuth2BodyFormat;
  clientAuth: OAuth2ClientAuth;
  scope?: string;
  defaultExpiresInSeconds: number;
  headers?: Record<string, string>;
}

/** The client-credentials grant (RFC 6749 4.4), shared by every provider that uses it. */
export class ClientCredentialsTokenClient implements TokenClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly settings: ClientCredentialsSettings,
  ) {}

  async requestToken({ credentials }: TokenRequest): Promise<IssuedToken> {
    const { provider, tokenUrl, bodyFormat, clientAuth, scope, defaultExpiresInSeconds, headers } = this.settings;
    const params: Record<string, string> = {
      grant_type: 'client_credentials',
      client_id: credentials.client_id,
      client_secret: credentials.client_secret,
      ...(scope ? { scope } : {}),
    };
    const grant = await requestOAuth2Token(this.http, {
      provider,
      url: tokenUrl,
      params,
      bodyFormat,
      clientAuth,
      defaultExpiresInSeconds,
      headers,
    });
    return { accessToken: grant.accessToken, tokenType: grant.tokenType, expiresAt: grant.expiresAt };
  }
}
