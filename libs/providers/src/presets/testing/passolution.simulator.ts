import {
  OAuth2RefreshTokenSimulator,
  type RefreshTokenSimulatorOptions,
} from '../../oauth2-refresh-token/testing/oauth2-refresh-token.simulator';
import { SimulatorClient } from '../../oauth2/testing/token-request-contract';

export type PassolutionSimulatorOptions = Pick<
  RefreshTokenSimulatorOptions,
  'port' | 'tokenLifetimeSeconds' | 'revokeFamilyOnReuse' | 'requestsPerMinute'
>;

/**
 * Passolution's `/oauth/token` as documented: JSON body with the client secret in it, single-use
 * refresh tokens, 300 requests a minute, one-year tokens, and answers of exactly
 * `{expires_in, access_token, refresh_token}` (no `token_type`).
 */
export class PassolutionSimulator extends OAuth2RefreshTokenSimulator {
  constructor(client: SimulatorClient, options: PassolutionSimulatorOptions = {}) {
    super(client, {
      path: '/oauth/token',
      bodyFormat: 'json',
      clientAuth: 'body',
      requestsPerMinute: 300,
      defaultLifetimeSeconds: 31_536_000,
      tokenPrefix: 'pa',
      answer: { tokenType: undefined },
      ...options,
    });
  }
}
