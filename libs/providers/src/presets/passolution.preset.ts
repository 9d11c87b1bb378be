import { ProviderPreset } from '../core/provider-preset';
import { oauth2RefreshToken } from '../oauth2-refresh-token/oauth2-refresh-token.provider-type';

/**
 * Passolution: `POST /oauth/token`, JSON refresh-token grant with the client secret in the body;
 * each refresh token works once. The token URL allows 300 requests per minute; tokens live a year.
 */
export const passolution: ProviderPreset = {
  type: 'passolution',
  base: oauth2RefreshToken,
  baseUrl: 'https://web.passolution.eu',
  requestsPerMinute: 300,
  defaults: { tokenUrl: '/oauth/token', bodyFormat: 'json', auth: 'body', defaultLifetime: 31_536_000 },
};
