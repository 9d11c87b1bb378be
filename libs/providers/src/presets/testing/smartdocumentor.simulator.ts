import { OAuth2ClientCredentialsSimulator } from '../../oauth2-client-credentials/testing/oauth2-client-credentials.simulator';
import { SimulatorClient } from '../../oauth2/testing/token-request-contract';
import { SimulatorOptions } from '../../testing/simulator-server';

/** SmartDocumentor's `/connect/token` as documented: form body only, scope must be `WebAPI`, a wrong secret is 400 `invalid_client`. */
export class SmartDocumentorSimulator extends OAuth2ClientCredentialsSimulator {
  constructor(client: SimulatorClient, options: SimulatorOptions = {}) {
    super(client, {
      path: '/connect/token',
      bodyFormat: 'form',
      clientAuth: 'body',
      invalidClientStatus: 400,
      scope: 'WebAPI',
      defaultLifetimeSeconds: 3600,
      tokenPrefix: 'sd',
      tokenType: 'Bearer',
      ...options,
    });
  }
}
