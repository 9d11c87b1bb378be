import { timingSafeEqual } from 'node:crypto';
import { IssuedTokens } from '../../testing/issued-tokens';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';
import { passportalHash } from '../passportal-signature';

export interface PassportalSimulatorOptions extends SimulatorOptions {
  scope?: string;
}

/**
 * Passportal's client_token endpoint: checks `x-key`, verifies `x-hash` against the secret over the
 * body's `content`, and answers `expiry_time` alternately as a number and as a string.
 */
export class PassportalSimulator extends SimulatorServer {
  readonly tokens = new IssuedTokens();
  private answers = 0;

  constructor(
    private readonly key: { keyId: string; secretKey: string },
    private readonly options: PassportalSimulatorOptions = {},
  ) {
    super();
  }

  protected handle(request: SimulatorRequest): SimulatorReply {
    if (request.method !== 'POST' || request.path !== '/api/v2/auth/client_token') return { status: 404, body: { success: false } };
    if (!request.headers['content-type']?.startsWith('application/json'))
      return { status: 415, body: { success: false, message: 'content-type' } };
    let body: { scope?: unknown; content?: unknown };
    try {
      body = JSON.parse(request.body) as typeof body;
    } catch {
      return { status: 400, body: { success: false, message: 'invalid json' } };
    }
    if (typeof body.content !== 'string' || body.scope !== (this.options.scope ?? 'docs_api')) {
      return { status: 400, body: { success: false, message: 'invalid scope or content' } };
    }
    const expected = Buffer.from(passportalHash(this.key.secretKey, body.content));
    const presented = Buffer.from(String(request.headers['x-hash'] ?? ''));
    const hashOk = presented.length === expected.length && timingSafeEqual(presented, expected);
    if (request.headers['x-key'] !== this.key.keyId || !hashOk)
      return { status: 401, body: { success: false, message: 'invalid key or hash' } };
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    const expiry = Math.floor(Date.now() / 1000) + lifetime;
    this.answers += 1;
    return {
      status: 200,
      body: {
        success: true,
        access_token: this.tokens.issue('pp', lifetime),
        refresh_token: `rt${this.answers}`,
        expiry_time: this.answers % 2 ? expiry : String(expiry),
      },
    };
  }
}
