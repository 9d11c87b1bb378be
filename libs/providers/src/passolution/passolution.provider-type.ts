import { ProviderInstanceConfig } from '@app/config';
import { ProviderType } from '../core/provider-type.decorator';
import { ProviderInstance, ProviderTypeDefinition, TokenClient } from '../core/provider-type';
import { OptionReader } from '../core/option-reader';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { PassolutionCredentialsDto } from './passolution-credentials.dto';
import { PassolutionTokenClient } from './passolution-token-client';

interface PassolutionOptions {
  tokenUrl: string;
}

/**
 * Passolution: `POST /oauth/token` with a single-use refresh token that rotates on every call, so
 * the strict claim/commit protocol applies. The token URL allows 300 requests per minute.
 */
@ProviderType()
export class PassolutionProviderType implements ProviderTypeDefinition<PassolutionOptions> {
  readonly type = 'passolution';
  readonly defaultBaseUrl = 'https://web.passolution.eu';
  readonly rotatesCredentials = true;
  readonly defaultRequestsPerMinute = 300;
  readonly credentialsSchema = PassolutionCredentialsDto;

  parseOptions(config: ProviderInstanceConfig): PassolutionOptions {
    const reader = new OptionReader(config);
    const options = { tokenUrl: reader.endpoint('/oauth/token') };
    reader.done();
    return options;
  }

  createClient(instance: Omit<ProviderInstance<PassolutionOptions>, 'client'>, http: UpstreamHttpClient): TokenClient {
    return new PassolutionTokenClient(http, instance.id, instance.options.tokenUrl);
  }
}
