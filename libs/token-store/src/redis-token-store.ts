import type Redis from 'ioredis';
import { TokenStoreUnavailableError } from '@app/errors';
import { providerKey } from './provider-key';
import type { TokenNearCache } from './token-near-cache';
import { OutboxEntry, ProviderStatus, StoredToken, TokenStore } from './token-store';

/**
 * Writes the token only if no token with a higher fence was written before, and announces it to
 * every replica's near-cache (KEYS: token, fence; ARGV: json, fence, ttl ms, channel, announcement).
 * The fence key never expires, so it outlives the token.
 */
const FENCED_SET = `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

/** Deletes the token and its fence, and announces it (KEYS: token, fence; ARGV: channel, announcement). */
const DELETE_TOKEN = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`;

/** Deletes KEYS[1] only if its JSON holds attemptId ARGV[1]. */
const DELETE_OUTBOX_IF_SAME = `
local raw = redis.call('GET', KEYS[1])
if raw and cjson.decode(raw).attemptId == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisTokenStore implements TokenStore {
  readonly description = 'Redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nearCache: TokenNearCache,
  ) {}

  peek(provider: string): StoredToken | undefined {
    return this.nearCache.peek(provider);
  }

  async get(provider: string): Promise<StoredToken | undefined> {
    const epoch = this.nearCache.epoch(provider);
    const token = await this.getJson<StoredToken>(provider, 'token');
    this.nearCache.remember(provider, token, epoch);
    return token;
  }

  async put(provider: string, token: StoredToken): Promise<boolean> {
    const ttl = Math.max(1, token.expiresAt - Date.now());
    const keys = [this.key(provider, 'token'), this.key(provider, 'fence')];
    const announcement = this.nearCache.announcement(provider);
    const written = await this.call(() => this.redis.eval(FENCED_SET, 2, ...keys, JSON.stringify(token), token.fence, ttl, this.nearCache.channel, announcement));
    if (written === 1) this.nearCache.rememberOwn(provider, token);
    return written === 1;
  }

  async delete(provider: string): Promise<void> {
    const keys = [this.key(provider, 'token'), this.key(provider, 'fence')];
    await this.call(() => this.redis.eval(DELETE_TOKEN, 2, ...keys, this.nearCache.channel, this.nearCache.announcement(provider)));
    this.nearCache.rememberOwn(provider, undefined);
  }

  async getStatus(provider: string): Promise<ProviderStatus | undefined> {
    return this.getJson<ProviderStatus>(provider, 'status');
  }

  /** `SET ... GET` (Redis 6.2+): the swap is one command, so no other writer's status can fall between read and write. */
  async putStatus(provider: string, status: ProviderStatus): Promise<ProviderStatus | undefined> {
    const previous = await this.call(() => this.redis.set(this.key(provider, 'status'), JSON.stringify(status), 'GET'));
    return previous ? (JSON.parse(previous) as ProviderStatus) : undefined;
  }

  async getOutbox(provider: string): Promise<OutboxEntry | undefined> {
    return this.getJson<OutboxEntry>(provider, 'outbox');
  }

  async putOutbox(provider: string, entry: OutboxEntry): Promise<void> {
    await this.call(() => this.redis.set(this.key(provider, 'outbox'), JSON.stringify(entry)));
  }

  async deleteOutbox(provider: string, attemptId: string): Promise<void> {
    await this.call(() => this.redis.eval(DELETE_OUTBOX_IF_SAME, 1, this.key(provider, 'outbox'), attemptId));
  }

  async takeProbe(provider: string, intervalMs: number): Promise<boolean> {
    return (await this.call(() => this.redis.set(this.key(provider, 'probe'), '1', 'PX', intervalMs, 'NX'))) === 'OK';
  }

  async ping(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  private async getJson<T>(provider: string, kind: string): Promise<T | undefined> {
    const raw = await this.call(() => this.redis.get(this.key(provider, kind)));
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  private key(provider: string, kind: string): string {
    return providerKey(this.prefix, provider, kind);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new TokenStoreUnavailableError(`Redis is unavailable (${(error as Error).message})`, { cause: error });
    }
  }
}
