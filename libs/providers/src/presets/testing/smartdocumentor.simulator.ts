import { IssuedTokens } from '../../testing/issued-tokens';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';

/** SmartDocumentor's `/connect/token` as documented: form body only, scope must be `WebAPI`. */
export class SmartDocumentorSimulator extends SimulatorServer {
  readonly tokens = new IssuedTokens();

  constructor(
    private readonly client: { clientId: string; clientSecret: string },
    private readonly options: SimulatorOptions = {},
  ) {
    super();
  }

  protected handle(request: SimulatorRequest): SimulatorReply {
    if (request.method !== 'POST' || request.path !== '/connect/token') return { status: 404, body: { error: 'not_found' } };
    if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return { status: 400, body: { error: 'invalid_request' } };
    }
    const form = new URLSearchParams(request.body);
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (form.get('client_id') !== this.client.clientId || form.get('client_secret') !== this.client.clientSecret) {
      return { status: 400, body: { error: 'invalid_client' } };
    }
    if (form.get('scope') !== 'WebAPI') return { status: 400, body: { error: 'invalid_scope' } };
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    return {
      status: 200,
      body: { access_token: this.tokens.issue('sd', lifetime), expires_in: lifetime, token_type: 'Bearer', scope: 'WebAPI' },
    };
  }
}
