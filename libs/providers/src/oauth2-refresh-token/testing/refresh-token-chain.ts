import { randomBytes } from 'node:crypto';

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

export interface ChainLink {
  /** Which authorization (grant) the token's chain descends from: 0 for the first, +1 per reauthorize(). */
  grant: number;
  usedAt?: number;
  answering: boolean;
  successor?: string;
}

/**
 * A server's single-use refresh tokens: each grant's chain, every use recorded, reuses counted
 * (and, in RFC 9700 strict mode, punished by revoking the whole family).
 */
export class RefreshTokenChain {
  private readonly links = new Map<string, ChainLink>();
  /** The unused head of each grant's chain. */
  private readonly heads: string[] = [];
  private readonly revokedGrants = new Set<number>();
  private refreshes = 0;
  private reuses = 0;
  private reusesAfterSuccessorUsed = 0;
  private overlapping = 0;

  constructor(private readonly revokeFamilyOnReuse: boolean) {
    this.heads.push(this.mint(0));
  }

  get current(): string {
    return this.heads.at(-1)!;
  }

  /** A new authorization: a new grant with its own chain; older chains stay valid until used up. */
  reauthorize(): string {
    this.heads.push(this.mint(this.heads.length));
    return this.current;
  }

  /** The link of a token that may be used now; undefined means `invalid_grant` (a reuse is recorded). */
  usable(token: string): ChainLink | undefined {
    const link = this.links.get(token);
    if (!link || this.revokedGrants.has(link.grant)) return undefined;
    if (link.usedAt === undefined) return link;
    this.reuses += 1;
    if (link.answering) this.overlapping += 1;
    if (link.successor && this.links.get(link.successor)?.usedAt !== undefined) this.reusesAfterSuccessorUsed += 1;
    if (this.revokeFamilyOnReuse) this.revokedGrants.add(link.grant);
    return undefined;
  }

  /** Spends `link`'s token and mints its successor; `answered()` ends the answer's time in flight. */
  rotate(link: ChainLink): { successor: string; answered: () => void } {
    link.usedAt = Date.now();
    link.answering = true;
    const successor = this.mint(link.grant);
    link.successor = successor;
    this.heads[link.grant] = successor;
    this.refreshes += 1;
    return { successor, answered: () => (link.answering = false) };
  }

  /** A refresh that leaves the token as it was (a server that does not rotate). */
  keep(): void {
    this.refreshes += 1;
  }

  report(): RefreshTokenReport {
    return {
      refreshes: this.refreshes,
      reuses: this.reuses,
      reusesAfterSuccessorUsed: this.reusesAfterSuccessorUsed,
      overlappingUses: this.overlapping,
      currentRefreshToken: this.current,
      familyRevoked: this.revokedGrants.size > 0,
    };
  }

  private mint(grant: number): string {
    const token = `def${randomBytes(16).toString('hex')}`;
    this.links.set(token, { grant, answering: false });
    return token;
  }
}
