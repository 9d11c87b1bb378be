import { OAuth2ClientCredentialsSimulator } from '../../oauth2-client-credentials/testing/oauth2-client-credentials.simulator';
import { SimulatorClient } from '../../oauth2/testing/token-request-contract';
import { SimulatorOptions } from '../../testing/simulator-server';

/** Passport fintech's `/v1/iam/oauth/tokens`: JSON client credentials, 24 h tokens. */
export class PassportFintechSimulator extends OAuth2ClientCredentialsSimulator {
  constructor(client: SimulatorClient, options: SimulatorOptions = {}) {
    super(client, {
      path: '/v1/iam/oauth/tokens',
      bodyFormat: 'json',
      clientAuth: 'body',
      defaultLifetimeSeconds: 86_400,
      tokenPrefix: 'pf',
      tokenType: 'Bearer',
      ...options,
    });
  }
}
