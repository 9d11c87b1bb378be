import { ProviderInstanceConfig } from '@app/config';
import { ProviderType } from '../core/provider-type.decorator';
import { ProviderInstance, ProviderTypeDefinition, TokenClient } from '../core/provider-type';
import { OptionReader } from '../core/option-reader';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { ClientCredentialsDto } from '../oauth2/client-credentials.dto';
import { ClientCredentialsTokenClient } from '../oauth2/client-credentials-token-client';

interface PassportFintechOptions {
  tokenUrl: string;
  acceptLanguage: string;
}

/** Passport fintech: `POST /v1/iam/oauth/tokens`, JSON client credentials, tokens valid 24 h. */
@ProviderType()
export class PassportFintechProviderType implements ProviderTypeDefinition<PassportFintechOptions> {
  readonly type = 'passport-fintech';
  readonly defaultBaseUrl = 'https://bre-b-sandbox.api.visionamos.passportfintech.com';
  readonly credentialsSchema = ClientCredentialsDto;

  parseOptions(config: ProviderInstanceConfig): PassportFintechOptions {
    const reader = new OptionReader(config);
    const options = {
      tokenUrl: reader.endpoint('/v1/iam/oauth/tokens'),
      acceptLanguage: reader.string('acceptLanguage', 'en'),
    };
    reader.done();
    return options;
  }

  createClient(instance: Omit<ProviderInstance<PassportFintechOptions>, 'client'>, http: UpstreamHttpClient): TokenClient {
    return new ClientCredentialsTokenClient(http, {
      provider: instance.id,
      tokenUrl: instance.options.tokenUrl,
      bodyFormat: 'json',
      clientAuth: 'body',
      defaultExpiresInSeconds: 86_400,
      headers: { 'accept-language': instance.options.acceptLanguage },
    });
  }
}
