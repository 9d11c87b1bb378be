import type Redis from 'ioredis';
import { TokenStoreUnavailableError } from '@app/errors';
import { PendingCredentials, ProviderStatus, StoredToken, TokenStore } from './token-store';

/**
 * Writes the token only if no holder with a higher fence wrote before (KEYS: token, fence;
 * ARGV: json, fence, ttl ms). The fence key never expires, so it outlives the token.
 */
const FENCED_SET = `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** Deletes KEYS[1] only if its JSON holds attemptId ARGV[1]. */
const DELETE_PENDING_IF_SAME = `
local raw = redis.call('GET', KEYS[1])
if raw and cjson.decode(raw).attemptId == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** A fixed one-minute window per provider: INCR, and start the window's expiry on its first call. */
const TAKE_RATE_SLOT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], 60000) end
if count <= tonumber(ARGV[1]) then return 0 end
return redis.call('PTTL', KEYS[1])`;

export class RedisTokenStore implements TokenStore {
  readonly description = 'Redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(provider: string): Promise<StoredToken | undefined> {
    const raw = await this.call(() => this.redis.get(this.key('token', provider)));
    return raw ? (JSON.parse(raw) as StoredToken) : undefined;
  }

  async put(provider: string, token: StoredToken): Promise<boolean> {
    const ttl = Math.max(1, token.expiresAt - Date.now());
    const written = await this.call(() =>
      this.redis.eval(FENCED_SET, 2, this.key('token', provider), this.key('fence', provider), JSON.stringify(token), token.fence, ttl),
    );
    return written === 1;
  }

  async delete(provider: string): Promise<void> {
    await this.call(() => this.redis.del(this.key('token', provider)));
  }

  async getStatus(provider: string): Promise<ProviderStatus | undefined> {
    const raw = await this.call(() => this.redis.get(this.key('status', provider)));
    return raw ? (JSON.parse(raw) as ProviderStatus) : undefined;
  }

  async putStatus(provider: string, status: ProviderStatus): Promise<void> {
    await this.call(() => this.redis.set(this.key('status', provider), JSON.stringify(status)));
  }

  async getPending(provider: string): Promise<PendingCredentials | undefined> {
    const raw = await this.call(() => this.redis.get(this.key('pending', provider)));
    return raw ? (JSON.parse(raw) as PendingCredentials) : undefined;
  }

  async putPending(provider: string, pending: PendingCredentials): Promise<void> {
    await this.call(() => this.redis.set(this.key('pending', provider), JSON.stringify(pending)));
  }

  async deletePending(provider: string, attemptId: string): Promise<void> {
    await this.call(() => this.redis.eval(DELETE_PENDING_IF_SAME, 1, this.key('pending', provider), attemptId));
  }

  async takeRateSlot(provider: string, perMinute: number): Promise<number> {
    const wait = await this.call(() => this.redis.eval(TAKE_RATE_SLOT, 1, this.key('rate', provider), perMinute));
    return Math.max(0, Number(wait));
  }

  async ping(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  private key(kind: string, provider: string): string {
    return `${this.prefix}${kind}:${provider}`;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new TokenStoreUnavailableError(`Redis is unavailable (${(error as Error).message})`, { cause: error });
    }
  }
}
