import { IssuedToken, TokenClient, TokenRequest } from '../core/provider-type';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { mapPassportalResponse } from './passportal-response';
import { DEFAULT_PASSPORTAL_CONTENT, passportalHash } from './passportal-signature';

/**
 * Passportal's signed token request. There is no documented refresh call, so every new token comes
 * from a fresh signed request; the returned refresh token is kept in the token state only.
 */
export class PassportalTokenClient implements TokenClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly provider: string,
    private readonly tokenUrl: string,
    private readonly scope: string,
  ) {}

  async requestToken({ credentials }: TokenRequest): Promise<IssuedToken> {
    const content = credentials.content ?? DEFAULT_PASSPORTAL_CONTENT;
    const response = await this.http.send(this.provider, {
      method: 'POST',
      url: this.tokenUrl,
      headers: {
        'x-key': credentials.key_id,
        'x-hash': passportalHash(credentials.secret_key, content),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ scope: this.scope, content }),
    });
    return mapPassportalResponse(this.provider, response);
  }
}
