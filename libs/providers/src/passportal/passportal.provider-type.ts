import { ProviderInstanceConfig } from '@app/config';
import { ProviderType } from '../core/provider-type.decorator';
import { ProviderInstance, ProviderTypeDefinition, TokenClient } from '../core/provider-type';
import { OptionReader } from '../core/option-reader';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { PassportalCredentialsDto } from './passportal-credentials.dto';
import { PassportalTokenClient } from './passportal-token-client';

interface PassportalOptions {
  tokenUrl: string;
  scope: string;
}

/**
 * Passportal: `POST /api/v2/auth/client_token` signed with `x-key`/`x-hash`. Each Passportal
 * server has its own address, so `baseUrl` is required. The docs spell the scope `docs-api` in the
 * table and `docs_api` in the sample request; the sample's spelling is the default.
 */
@ProviderType()
export class PassportalProviderType implements ProviderTypeDefinition<PassportalOptions> {
  readonly type = 'passportal';
  readonly credentialsSchema = PassportalCredentialsDto;

  parseOptions(config: ProviderInstanceConfig): PassportalOptions {
    const reader = new OptionReader(config);
    const options = { tokenUrl: reader.endpoint('/api/v2/auth/client_token'), scope: reader.string('scope', 'docs_api') };
    reader.done();
    return options;
  }

  createClient(instance: Omit<ProviderInstance<PassportalOptions>, 'client'>, http: UpstreamHttpClient): TokenClient {
    return new PassportalTokenClient(http, instance.id, instance.options.tokenUrl, instance.options.scope);
  }
}
