import { OptionReader } from '../core/option-reader';
import { AuthorizationCodeGrant } from '../oauth2/authorization-code-grant';
import { ProviderTypeDefinition } from '../core/provider-type';
import { OAuth2EndpointSettings, readOAuth2Settings } from '../oauth2/oauth2-settings';
import { OAuth2TokenEndpoint } from '../oauth2/oauth2-token-endpoint';
import { RefreshTokenClient } from './refresh-token-client';
import { RefreshTokenCredentialsDto } from './refresh-token-credentials.dto';

export interface RefreshTokenOptions extends OAuth2EndpointSettings {
  /** Where a person authorizes the client in the connect flow; not used to refresh. */
  authorizeUrl?: string;
}

/**
 * Any RFC 6749 server whose service lives on a refresh token, configured without code. The token
 * may be single-use, so every instance refreshes through the fenced claim/commit protocol (README
 * "Refresh protocol"); for a server that keeps its refresh tokens that costs a store write, no more.
 */
export const oauth2RefreshToken: ProviderTypeDefinition<RefreshTokenOptions> = {
  type: 'oauth2-refresh-token',
  credentialsSchema: RefreshTokenCredentialsDto,

  configure(config) {
    const reader = new OptionReader(config);
    const options = { ...readOAuth2Settings(reader), authorizeUrl: reader.optionalUrl('authorizeUrl') };
    reader.done();
    return { options, rotatesCredentials: true };
  },

  createClient(instance, http) {
    return new RefreshTokenClient(new OAuth2TokenEndpoint(http, instance.id, instance.options));
  },

  createAuthorization({ id, options }, http) {
    if (!options.authorizeUrl) return undefined;
    return new AuthorizationCodeGrant(new OAuth2TokenEndpoint(http, id, options), options.authorizeUrl, options.scope);
  },
};
