import { ProviderInstanceConfig } from '@app/config';
import { ProviderType } from '../core/provider-type.decorator';
import { ProviderInstance, ProviderTypeDefinition, TokenClient } from '../core/provider-type';
import { OptionReader } from '../core/option-reader';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { PortfoleonCredentialsDto } from './portfoleon-credentials.dto';
import { PortfoleonEndpoints, PortfoleonTokenClient } from './portfoleon-token-client';

/** Portfoleon: API key -> `{token, b64token}`; callers get `b64token`, whose header holds `exp`. */
@ProviderType()
export class PortfoleonProviderType implements ProviderTypeDefinition<PortfoleonEndpoints> {
  readonly type = 'portfoleon';
  readonly defaultBaseUrl = 'https://api.portfoleon.com';
  readonly credentialsSchema = PortfoleonCredentialsDto;

  parseOptions(config: ProviderInstanceConfig): PortfoleonEndpoints {
    const reader = new OptionReader(config);
    const options = {
      tokenUrl: reader.endpoint('/api/v1/security/token'),
      refreshUrl: reader.endpoint('/api/v1/security/refresh_token'),
      fallbackLifetimeSeconds: reader.positiveInt('defaultLifetime', 600),
    };
    reader.done();
    return options;
  }

  createClient(instance: Omit<ProviderInstance<PortfoleonEndpoints>, 'client'>, http: UpstreamHttpClient): TokenClient {
    return new PortfoleonTokenClient(http, instance.id, instance.options);
  }
}
