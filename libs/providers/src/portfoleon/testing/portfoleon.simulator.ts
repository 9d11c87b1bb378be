import { createHmac, randomBytes } from 'node:crypto';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';

export interface PortfoleonSimulatorOptions extends SimulatorOptions {
  /** How long a refresh chain may run before "Authentication expired" (seconds). */
  maxChainSeconds?: number;
  /** Misbehave: answer a forced refresh with the same token, as if `force` were ignored. */
  ignoreForce?: boolean;
  /** Misbehave: issue tokens whose header has no `exp`, so the broker must use its configured lifetime. */
  omitExp?: boolean;
}

interface Issued {
  exp: number;
  chainStart: number;
}

/**
 * Portfoleon's token API: HS256-signed tokens whose header carries `exp`/`iat`, `force` semantics on
 * refresh, and both documented error messages at the right moments.
 */
export class PortfoleonSimulator extends SimulatorServer {
  private readonly secret = randomBytes(32);
  private readonly issued = new Map<string, Issued>();

  constructor(
    private readonly apiKey: string,
    private readonly options: PortfoleonSimulatorOptions = {},
  ) {
    super();
  }

  /** Whether `b64token` is one this simulator issued and is still valid. */
  isValid(b64token: string, at = Date.now()): boolean {
    const issued = this.issued.get(b64token);
    return !!issued && issued.exp * 1000 > at;
  }

  /** The server ends every issued token now, e.g. after its clock jumped: refreshing one answers "Token expired". */
  expireIssuedTokens(): void {
    const past = Math.floor(Date.now() / 1000) - 1;
    for (const issued of this.issued.values()) issued.exp = past;
  }

  expiryOf(b64token: string): number | undefined {
    const issued = this.issued.get(b64token);
    return issued && issued.exp * 1000;
  }

  protected handle(request: SimulatorRequest): SimulatorReply {
    if (request.method === 'POST' && request.path === '/api/v1/security/token') return this.login(request);
    if (request.method === 'GET' && request.path === '/api/v1/security/refresh_token') return this.refresh(request);
    return { status: 404, body: { message: { error: 'Not found' } } };
  }

  private login(request: SimulatorRequest): SimulatorReply {
    if (!request.headers['content-type']?.startsWith('application/json'))
      return { status: 415, body: { message: { error: 'Unsupported media type' } } };
    let apiKey: unknown;
    try {
      apiKey = (JSON.parse(request.body) as { api_key?: unknown }).api_key;
    } catch {
      return { status: 400, body: { message: { error: 'Invalid JSON' } } };
    }
    if (apiKey !== this.apiKey) return { status: 401, body: { message: { error: 'Invalid API key' } } };
    return { status: 200, body: this.issue(Date.now()) };
  }

  private refresh(request: SimulatorRequest): SimulatorReply {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const issued = this.issued.get(bearer);
    if (!issued) return { status: 401, body: { message: { error: 'Invalid token' } } };
    if (issued.exp * 1000 <= Date.now()) return { status: 401, body: { message: { error: 'Token expired' } } };
    if (Date.now() - issued.chainStart > (this.options.maxChainSeconds ?? 86_400) * 1000) {
      return { status: 401, body: { message: { error: 'Authentication expired' } } };
    }
    if (request.query.get('force') !== 'true' || this.options.ignoreForce)
      return { status: 200, body: { token: signedFromB64(bearer), b64token: bearer } };
    return { status: 200, body: this.issue(issued.chainStart) };
  }

  private issue(chainStart: number): { token: string; b64token: string } {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + (this.options.tokenLifetimeSeconds ?? 600);
    const jti = randomBytes(6).toString('hex');
    const header = base64url(this.options.omitExp ? { alg: 'HS256', iat, jti } : { alg: 'HS256', exp, iat, jti });
    const payload = base64url({ original_issue_date: new Date(chainStart).toISOString(), user_id: '1' });
    const signature = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url');
    const token = `${header}.${payload}.${signature}`;
    const b64token = Buffer.from(token).toString('base64');
    this.issued.set(b64token, { exp, chainStart });
    return { token, b64token };
  }
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signedFromB64(b64token: string): string {
  return Buffer.from(b64token, 'base64').toString('utf8');
}
