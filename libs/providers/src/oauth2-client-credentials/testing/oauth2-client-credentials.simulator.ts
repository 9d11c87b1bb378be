import { IssuedTokens } from '../../testing/issued-tokens';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';

export interface GenericOAuth2SimulatorOptions extends SimulatorOptions {
  path?: string;
  bodyFormat?: 'json' | 'form';
  clientAuth?: 'body' | 'basic';
  scope?: string;
}

/** A strict RFC 6749 4.4 token endpoint with the body format and client authentication it is told to expect. */
export class OAuth2ClientCredentialsSimulator extends SimulatorServer {
  readonly tokens = new IssuedTokens();

  constructor(
    private readonly client: { clientId: string; clientSecret: string },
    private readonly options: GenericOAuth2SimulatorOptions = {},
  ) {
    super();
  }

  protected handle(request: SimulatorRequest): SimulatorReply {
    const { path = '/oauth/token', bodyFormat = 'form', clientAuth = 'body', scope } = this.options;
    if (request.method !== 'POST' || request.path !== path) return { status: 404, body: { error: 'not_found' } };
    const expectedType = bodyFormat === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    if (!request.headers['content-type']?.startsWith(expectedType)) return { status: 400, body: { error: 'invalid_request' } };
    const params = parseParams(request.body, bodyFormat);
    if (!params) return { status: 400, body: { error: 'invalid_request' } };
    const [id, secret] = clientAuth === 'basic' ? parseBasic(request.headers.authorization) : [params.client_id, params.client_secret];
    if (id !== this.client.clientId || secret !== this.client.clientSecret) return { status: 401, body: { error: 'invalid_client' } };
    if (params.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (scope !== undefined && params.scope !== scope) return { status: 400, body: { error: 'invalid_scope' } };
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    return { status: 200, body: { access_token: this.tokens.issue('oa', lifetime), token_type: 'bearer', expires_in: lifetime } };
  }
}

function parseParams(body: string, format: 'json' | 'form'): Record<string, string> | undefined {
  if (format === 'form') return Object.fromEntries(new URLSearchParams(body));
  try {
    return JSON.parse(body) as Record<string, string>;
  } catch {
    return undefined;
  }
}

function parseBasic(header: string | undefined): [string?, string?] {
  if (!header?.startsWith('Basic ')) return [];
  const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return [decodeURIComponent(id ?? ''), decodeURIComponent(secret ?? '')];
}
