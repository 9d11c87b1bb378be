import { ProviderPreset } from '../core/provider-preset';
import { oauth2ClientCredentials } from '../oauth2-client-credentials/oauth2-client-credentials.provider-type';

/**
 * SmartDocumentor: `POST /connect/token`, form-encoded client credentials in the body, scope always
 * `WebAPI`, 3600 s tokens; `{"error":"invalid_client"}` means the secret is wrong or expired.
 */
export const smartdocumentor: ProviderPreset = {
  type: 'smartdocumentor',
  base: oauth2ClientCredentials,
  baseUrl: 'https://cloud.smartdocumentor.net',
  defaults: { tokenUrl: '/connect/token', bodyFormat: 'form', auth: 'body', scope: 'WebAPI', defaultLifetime: 3600 },
};
