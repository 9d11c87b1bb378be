import { ProviderInstanceConfig } from '@app/config';
import { ProviderType } from '../core/provider-type.decorator';
import { ProviderInstance, ProviderTypeDefinition, TokenClient } from '../core/provider-type';
import { OptionReader } from '../core/option-reader';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { ClientCredentialsDto } from '../oauth2/client-credentials.dto';
import { ClientCredentialsTokenClient, ClientCredentialsSettings } from '../oauth2/client-credentials-token-client';

type GenericOptions = Omit<ClientCredentialsSettings, 'provider'>;

/** Any RFC 6749 client-credentials server, configured without code. */
@ProviderType()
export class OAuth2ClientCredentialsProviderType implements ProviderTypeDefinition<GenericOptions> {
  readonly type = 'oauth2-client-credentials';
  readonly credentialsSchema = ClientCredentialsDto;

  parseOptions(config: ProviderInstanceConfig): GenericOptions {
    const reader = new OptionReader(config);
    const options: GenericOptions = {
      tokenUrl: reader.url('tokenUrl'),
      scope: reader.optionalString('scope'),
      bodyFormat: reader.oneOf('bodyFormat', ['json', 'form'] as const, 'form'),
      clientAuth: reader.oneOf('auth', ['body', 'basic'] as const, 'body'),
      defaultExpiresInSeconds: reader.positiveInt('defaultExpiresIn', 3600),
    };
    reader.done();
    return options;
  }

  createClient(instance: Omit<ProviderInstance<GenericOptions>, 'client'>, http: UpstreamHttpClient): TokenClient {
    return new ClientCredentialsTokenClient(http, { provider: instance.id, ...instance.options });
  }
}
