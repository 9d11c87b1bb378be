import { createHmac, randomBytes } from 'node:crypto';

/** Tokens a simulator handed out, so tests can ask "was this token valid when it was served?". */
export class IssuedTokens {
  private readonly expiries = new Map<string, number>();
  private readonly signingKey = randomBytes(32);

  /** An opaque `<prefix>-<hex>` token, or a signed JWT whose `exp` is the expiry. */
  issue(prefix: string, lifetimeSeconds: number, format: 'opaque' | 'jwt' = 'opaque'): string {
    const expiresAt = Date.now() + lifetimeSeconds * 1000;
    const token = format === 'jwt' ? this.jwt(expiresAt) : `${prefix}-${randomBytes(12).toString('hex')}`;
    this.expiries.set(token, expiresAt);
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

  private jwt(expiresAt: number): string {
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iat: Math.floor(Date.now() / 1000), exp: Math.floor(expiresAt / 1000), jti: randomBytes(8).toString('hex') };
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${unsigned}.${createHmac('sha256', this.signingKey).update(unsigned).digest('base64url')}`;
  }
}
