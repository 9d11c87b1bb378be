import { randomBytes } from 'node:crypto';
import { IssuedTokens } from '../../testing/issued-tokens';
import { SimulatorOptions, SimulatorReply, SimulatorRequest, SimulatorServer } from '../../testing/simulator-server';

export interface PassolutionSimulatorOptions extends SimulatorOptions {
  /** RFC 9700 strict mode: presenting a spent refresh token revokes the whole family, current token included. */
  revokeFamilyOnReuse?: boolean;
  /** The documented limit of the token URL. */
  requestsPerMinute?: number;
}

/** What happened to the refresh tokens, for the test's final verdict. */
export interface RefreshTokenReport {
  refreshes: number;
  /** Presentations of a token that had already been used. */
  reuses: number;
  /** Reuses of a token whose successor had already been used: the fatal kind. */
  reusesAfterSuccessorUsed: number;
  /** A token presented again while its first use was still being answered. */
  overlappingUses: number;
  /** The unused refresh token of the newest grant. */
  currentRefreshToken: string;
  familyRevoked: boolean;
}

interface TokenRecord {
  /** Which authorization (grant) the token's chain descends from: 0 for the first, +1 per reauthorize(). */
  grant: number;
  usedAt?: number;
  answering: boolean;
  successor?: string;
}

/**
 * Passolution's `/oauth/token` as documented, strictly: each refresh token is accepted exactly once,
 * every use is recorded, and a reuse answers `invalid_grant`. `delayMs` answers slowly *after*
 * spending the token, like a real server whose answer is lost when the client gives up.
 */
export class PassolutionSimulator extends SimulatorServer {
  readonly tokens = new IssuedTokens();
  delayMs = 0;
  private readonly chain = new Map<string, TokenRecord>();
  /** The unused head of each grant's chain. */
  private readonly heads: string[] = [];
  private reuses = 0;
  private reusesAfterSuccessorUsed = 0;
  private overlapping = 0;
  private refreshes = 0;
  private readonly revokedGrants = new Set<number>();
  private windowStart = 0;
  private windowCount = 0;

  constructor(
    private readonly client: { clientId: string; clientSecret: string },
    private readonly options: PassolutionSimulatorOptions = {},
  ) {
    super();
    this.heads.push(this.mint(0));
  }

  /** The refresh token to seed the broker with (the result of the authorization-code exchange). */
  get currentRefreshToken(): string {
    return this.heads.at(-1)!;
  }

  /**
   * A person authorizes the account again (a new authorization-code exchange): a new grant with its
   * own chain starts; older chains stay valid until they are used up, as on most servers.
   */
  reauthorize(): string {
    this.heads.push(this.mint(this.heads.length));
    return this.currentRefreshToken;
  }

  report(): RefreshTokenReport {
    return {
      refreshes: this.refreshes,
      reuses: this.reuses,
      reusesAfterSuccessorUsed: this.reusesAfterSuccessorUsed,
      overlappingUses: this.overlapping,
      currentRefreshToken: this.currentRefreshToken,
      familyRevoked: this.revokedGrants.size > 0,
    };
  }

  protected async handle(request: SimulatorRequest): Promise<SimulatorReply> {
    if (request.method !== 'POST' || request.path !== '/oauth/token') return { status: 404, body: { error: 'not_found' } };
    if (!this.takeRateSlot()) return { status: 429, body: { error: 'too_many_requests' }, headers: { 'retry-after': '60' } };
    if (!request.headers['content-type']?.startsWith('application/json')) return { status: 400, body: { error: 'invalid_request' } };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { error: 'invalid_request' } };
    }
    if (body.client_id !== this.client.clientId || body.client_secret !== this.client.clientSecret) {
      return { status: 401, body: { error: 'invalid_client' } };
    }
    if (body.grant_type !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const presented = typeof body.refresh_token === 'string' ? body.refresh_token : '';
    const record = this.chain.get(presented);
    if (!record) return invalidGrant();
    if (record.usedAt !== undefined) return this.rejectReuse(record);
    if (this.revokedGrants.has(record.grant)) return invalidGrant();

    record.usedAt = Date.now();
    record.answering = true;
    const lifetime = this.options.tokenLifetimeSeconds ?? 31_536_000;
    const accessToken = this.tokens.issue('pa', lifetime);
    const successor = this.mint(record.grant);
    record.successor = successor;
    this.heads[record.grant] = successor;
    this.refreshes += 1;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    record.answering = false;
    return { status: 200, body: { expires_in: lifetime, access_token: accessToken, refresh_token: successor } };
  }

  private rejectReuse(record: TokenRecord): SimulatorReply {
    this.reuses += 1;
    if (record.answering) this.overlapping += 1;
    if (record.successor && this.chain.get(record.successor)?.usedAt !== undefined) this.reusesAfterSuccessorUsed += 1;
    if (this.options.revokeFamilyOnReuse) this.revokedGrants.add(record.grant);
    return invalidGrant();
  }

  private mint(grant: number): string {
    const token = `def${randomBytes(16).toString('hex')}`;
    this.chain.set(token, { grant, answering: false });
    return token;
  }

  private takeRateSlot(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    return this.windowCount <= (this.options.requestsPerMinute ?? 300);
  }
}

function invalidGrant(): SimulatorReply {
  return { status: 400, body: { error: 'invalid_grant' } };
}
