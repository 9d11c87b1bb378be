import { OptionReader } from '../core/option-reader';
import { ProviderTypeDefinition } from '../core/provider-type';
import { PortfoleonCredentialsDto } from './portfoleon-credentials.dto';
import { PortfoleonEndpoints, PortfoleonTokenClient } from './portfoleon-token-client';

/** Portfoleon: API key -> `{token, b64token}`; callers get `b64token`, whose header holds `exp`. */
export const portfoleon: ProviderTypeDefinition<PortfoleonEndpoints> = {
  type: 'portfoleon',
  defaultBaseUrl: 'https://api.portfoleon.com',
  credentialsSchema: PortfoleonCredentialsDto,

  configure(config) {
    const reader = new OptionReader(config);
    const options = {
      tokenUrl: reader.endpoint('/api/v1/security/token'),
      refreshUrl: reader.endpoint('/api/v1/security/refresh_token'),
      fallbackLifetimeSeconds: reader.positiveInt('defaultLifetime', 600),
    };
    reader.done();
    return { options, rotatesCredentials: false };
  },

  createClient(instance, http) {
    return new PortfoleonTokenClient(http, instance.id, instance.options);
  },
};
