import { ProviderPreset } from '../core/provider-preset';
import { oauth2ClientCredentials } from '../oauth2-client-credentials/oauth2-client-credentials.provider-type';

/** Passport fintech: `POST /v1/iam/oauth/tokens`, JSON client credentials, tokens valid 24 h, an Accept-Language header. */
export const passportFintech: ProviderPreset = {
  type: 'passport-fintech',
  base: oauth2ClientCredentials,
  baseUrl: 'https://bre-b-sandbox.api.visionamos.passportfintech.com',
  defaults: {
    tokenUrl: '/v1/iam/oauth/tokens',
    bodyFormat: 'json',
    auth: 'body',
    defaultLifetime: 86_400,
    headers: { 'accept-language': 'en' },
  },
  shorthands: { acceptLanguage: (value) => ({ headers: { 'accept-language': value } }) },
};
