import { ProviderInstanceConfig } from '@app/config';
import { ProviderType } from '../core/provider-type.decorator';
import { ProviderInstance, ProviderTypeDefinition, TokenClient } from '../core/provider-type';
import { OptionReader } from '../core/option-reader';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { ClientCredentialsDto } from '../oauth2/client-credentials.dto';
import { ClientCredentialsTokenClient } from '../oauth2/client-credentials-token-client';

/**
 * SmartDocumentor: `POST /connect/token`, form-encoded client credentials, scope always `WebAPI`,
 * 3600 s tokens; `{"error":"invalid_client"}` means the secret is wrong or expired.
 */
interface SmartDocumentorOptions {
  tokenUrl: string;
}

@ProviderType()
export class SmartDocumentorProviderType implements ProviderTypeDefinition<SmartDocumentorOptions> {
  readonly type = 'smartdocumentor';
  readonly defaultBaseUrl = 'https://cloud.smartdocumentor.net';
  readonly credentialsSchema = ClientCredentialsDto;

  parseOptions(config: ProviderInstanceConfig): SmartDocumentorOptions {
    const reader = new OptionReader(config);
    const options = { tokenUrl: reader.endpoint('/connect/token') };
    reader.done();
    return options;
  }

  createClient(instance: Omit<ProviderInstance<SmartDocumentorOptions>, 'client'>, http: UpstreamHttpClient): TokenClient {
    return new ClientCredentialsTokenClient(http, {
      provider: instance.id,
      tokenUrl: instance.options.tokenUrl,
      bodyFormat: 'form',
      clientAuth: 'body',
      scope: 'WebAPI',
      defaultExpiresInSeconds: 3600,
    });
  }
}
