import { OptionReader } from '../core/option-reader';
import { ProviderTypeDefinition } from '../core/provider-type';
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
export const passportal: ProviderTypeDefinition<PassportalOptions> = {
  type: 'passportal',
  credentialsSchema: PassportalCredentialsDto,

  configure(config) {
    const reader = new OptionReader(config);
    const options = { tokenUrl: reader.endpoint('/api/v2/auth/client_token'), scope: reader.string('scope', 'docs_api') };
    reader.done();
    return { options, rotatesCredentials: false };
  },

  createClient(instance, http) {
    return new PassportalTokenClient(http, instance.id, instance.options.tokenUrl, instance.options.scope);
  },
};
