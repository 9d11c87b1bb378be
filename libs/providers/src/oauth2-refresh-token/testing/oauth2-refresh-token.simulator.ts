import { readTokenRequest, SimulatorClient, TokenRequestContract } from '../../oauth2/testing/token-request-contract';
import { IssuedTokens } from '../../testing/issued-tokens';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';
import { RefreshTokenChain, RefreshTokenReport } from './refresh-token-chain';

export interface RefreshTokenSimulatorOptions extends SimulatorOptions, Partial<TokenRequestContract> {
  path?: string;
  /** RFC 9700 strict mode: presenting a spent refresh token revokes the whole family, current token included. */
  revokeFamilyOnReuse?: boolean;
  /** Token calls per minute before 429 with Retry-After; unlimited when unset. */
  requestsPerMinute?: number;
  /** The documented lifetime when `tokenLifetimeSeconds` does not scale it down. */
  defaultLifetimeSeconds?: number;
  tokenPrefix?: string;
  answer?: Partial<RefreshAnswerShape>;
}

/** How a successful answer looks: the variations RFC 6749 allows, which a real server does not show on demand. */
export interface RefreshAnswerShape {
  expiresIn: 'number' | 'string' | 'absent';
  /**
   * `keep`: no refresh token in the answer, and the presented one stays valid (RFC 6749 §6);
   * `echo`: the presented one again, still valid, as some servers that do not rotate answer.
   */
  refreshToken: 'rotate' | 'keep' | 'echo';
  accessToken: 'opaque' | 'jwt';
  /** Omitted from the answer when undefined. */
  tokenType?: string;
}

/**
 * A strict RFC 6749 §6 token endpoint with single-use refresh tokens: each is accepted exactly once,
 * every use recorded, a reuse answers `invalid_grant`. `delayMs` answers slowly *after* spending the
 * token, like a real server whose answer is lost when the client gives up, and `holdAnswers` holds
 * the answers there until released; `answer` changes the shape of what comes back. Transport faults
 * (`fault`) never spend a token.
 */
export class OAuth2RefreshTokenSimulator extends SimulatorServer {
  readonly tokens = new IssuedTokens();
  delayMs = 0;
  answer: RefreshAnswerShape;
  private readonly chain: RefreshTokenChain;
  private windowStart = 0;
  private windowCount = 0;
  private held?: { gate: Promise<void>; reached: () => void };

  constructor(
    private readonly client: SimulatorClient,
    private readonly options: RefreshTokenSimulatorOptions = {},
  ) {
    super();
    this.chain = new RefreshTokenChain(options.revokeFamilyOnReuse ?? false);
    this.answer = { expiresIn: 'number', refreshToken: 'rotate', accessToken: 'opaque', tokenType: 'Bearer', ...options.answer };
  }

  /** The refresh token to seed the broker with (the result of the authorization-code exchange). */
  get currentRefreshToken(): string {
    return this.chain.current;
  }

  /** A person authorizes the account again: a new chain starts, older ones stay valid until used up, as on most servers. */
  reauthorize(): string {
    return this.chain.reauthorize();
  }

  report(): RefreshTokenReport {
    return this.chain.report();
  }

  /**
   * Holds every answer, its token already spent, until `release`; `spent` settles when the first one
   * is held. A test acts while an answer is in flight however slowly the client got there (a fixed
   * delay raced it).
   */
  holdAnswers(): { spent: Promise<void>; release: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const spent = new Promise<void>((resolve) => (reached = resolve));
    this.held = { gate, reached };
    return {
      spent,
      release: () => {
        if (this.held?.gate === gate) this.held = undefined;
        open();
      },
    };
  }

  protected async handle(request: SimulatorRequest): Promise<SimulatorReply> {
    const { path = '/oauth/token', bodyFormat = 'form', clientAuth = 'body', invalidClientStatus = 401 } = this.options;
    if (request.method !== 'POST' || request.path !== path) return { status: 404, body: { error: 'not_found' } };
    if (!this.takeRateSlot()) return { status: 429, body: { error: 'too_many_requests' }, headers: { 'retry-after': '60' } };
    const read = readTokenRequest(request, { bodyFormat, clientAuth, invalidClientStatus }, this.client);
    if ('refusal' in read) return read.refusal;
    if (read.params.grant_type !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const presented = typeof read.params.refresh_token === 'string' ? read.params.refresh_token : '';
    const link = this.chain.usable(presented);
    if (!link) return { status: 400, body: { error: 'invalid_grant' } };

    const shape = this.answer;
    const lifetime = this.options.tokenLifetimeSeconds ?? this.options.defaultLifetimeSeconds ?? 3600;
    const accessToken = this.tokens.issue(this.options.tokenPrefix ?? 'oa', lifetime, shape.accessToken);
    const rotation = shape.refreshToken === 'rotate' ? this.chain.rotate(link) : undefined;
    if (!rotation) this.chain.keep();
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const held = this.held;
    if (held) {
      held.reached();
      await held.gate;
    }
    rotation?.answered();
    const expiresIn = { number: lifetime, string: String(lifetime), absent: undefined }[shape.expiresIn];
    return {
      status: 200,
      body: {
        expires_in: expiresIn,
        access_token: accessToken,
        token_type: shape.tokenType,
        refresh_token: rotation?.successor ?? (shape.refreshToken === 'echo' ? presented : undefined),
      },
    };
  }

  private takeRateSlot(): boolean {
    if (this.options.requestsPerMinute === undefined) return true;
    const now = Date.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    return this.windowCount <= this.options.requestsPerMinute;
  }
}
