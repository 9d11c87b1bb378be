import { OptionReader } from '../core/option-reader';
import { ProviderTypeDefinition } from '../core/provider-type';
import { ClientCredentialsDto } from '../oauth2/client-credentials.dto';
import { OAuth2EndpointSettings, readOAuth2Settings } from '../oauth2/oauth2-settings';
import { OAuth2TokenEndpoint } from '../oauth2/oauth2-token-endpoint';
import { ClientCredentialsTokenClient } from './client-credentials-token-client';

/** Any RFC 6749 client-credentials server, configured without code. */
export const oauth2ClientCredentials: ProviderTypeDefinition<OAuth2EndpointSettings> = {
  type: 'oauth2-client-credentials',
  credentialsSchema: ClientCredentialsDto,

  configure(config) {
    const reader = new OptionReader(config);
    // `defaultExpiresIn` is what this field was called before it was shared with oauth2-refresh-token
    const options = readOAuth2Settings(reader, reader.positiveInt('defaultExpiresIn', 3600));
    reader.done();
    return { options, rotatesCredentials: false };
  },

  createClient(instance, http) {
    return new ClientCredentialsTokenClient(new OAuth2TokenEndpoint(http, instance.id, instance.options));
  },
};
