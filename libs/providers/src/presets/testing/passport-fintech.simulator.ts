import { IssuedTokens } from '../../testing/issued-tokens';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';

/** Passport fintech's `/v1/iam/oauth/tokens`: JSON client credentials, 24 h tokens. */
export class PassportFintechSimulator extends SimulatorServer {
  readonly tokens = new IssuedTokens();

  constructor(
    private readonly client: { clientId: string; clientSecret: string },
    private readonly options: SimulatorOptions = {},
  ) {
    super();
  }

  protected handle(request: SimulatorRequest): SimulatorReply {
    if (request.method !== 'POST' || request.path !== '/v1/iam/oauth/tokens') return { status: 404, body: { error: 'not_found' } };
    if (!request.headers['content-type']?.startsWith('application/json')) return { status: 415, body: { error: 'unsupported_media_type' } };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { error: 'invalid_request' } };
    }
    if (body.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (body.client_id !== this.client.clientId || body.client_secret !== this.client.clientSecret) {
      return { status: 401, body: { error: 'invalid_client' } };
    }
    const lifetime = this.options.tokenLifetimeSeconds ?? 86_400;
    return { status: 200, body: { access_token: this.tokens.issue('pf', lifetime), token_type: 'Bearer', expires_in: lifetime } };
  }
}
