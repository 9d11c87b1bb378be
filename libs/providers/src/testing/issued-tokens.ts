import { randomBytes } from 'node:crypto';

/** Tokens a simulator handed out, so tests can ask "was this token valid when it was served?". */
export class IssuedTokens {
  private readonly expiries = new Map<string, number>();

  issue(prefix: string, lifetimeSeconds: number): string {
    const token = `${prefix}-${randomBytes(12).toString('hex')}`;
    this.expiries.set(token, Date.now() + lifetimeSeconds * 1000);
    return token;
  }

  get count(): number {
    return this.expiries.size;
  }

  /** Epoch ms, or undefined for a token this simulator never issued. */
  expiryOf(token: string): number | undefined {
    return this.expiries.get(token);
  }

  isValid(token: string, at = Date.now()): boolean {
    const expiry = this.expiries.get(token);
    return expiry !== undefined && expiry > at;
  }
}
