import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { TokenStoreUnavailableError } from '@app/errors';
import { getMany, type RedisConnectionState } from '@app/redis';
import { providerKey } from './provider-key';
import { RedisOutage } from './redis-outage';
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
  private readonly logger = new Logger('TokenStore');
  private readonly outage: RedisOutage;
  /** Tokens obtained while Redis was unreachable, written once it is back (one per provider, the highest fence). */
  private readonly writeBacks = new Map<string, StoredToken>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nearCache: TokenNearCache,
    connection: RedisConnectionState,
  ) {
    this.outage = new RedisOutage(redis, connection, () => void this.writeBack());
    // sent as EVALSHA (the body once per connection): every refresh writes a token
    this.redis.defineCommand('tbFencedSet', { numberOfKeys: 2, lua: FENCED_SET });
  }

  peek(provider: string): StoredToken | undefined {
    return this.nearCache.peek(provider);
  }

  unreachableSince(): number | undefined {
    return this.outage.since;
  }

  lastKnown(provider: string): StoredToken | undefined {
    return this.nearCache.lastKnown(provider);
  }

  getWithoutWaiting(provider: string): Promise<StoredToken | undefined> {
    // a read given up stays queued and lands later: its near-cache epoch has moved on, so it is not remembered
    return this.outage.withoutWaiting(() => this.get(provider));
  }

  async get(provider: string): Promise<StoredToken | undefined> {
    const epoch = this.nearCache.epoch(provider);
    const token = await this.getJson<StoredToken>(provider, 'token');
    this.nearCache.remember(provider, token, epoch);
    return token;
  }

  async put(provider: string, token: StoredToken): Promise<boolean> {
    if (this.outage.since !== undefined) {
      this.keepForWriteBack(provider, token);
      return true;
    }
    const ttl = Math.max(1, token.expiresAt - Date.now());
    const keys = [this.key(provider, 'token'), this.key(provider, 'fence')];
    const announcement = this.nearCache.announcement(provider);
    const client = this.redis as Redis & { tbFencedSet(...keysThenArgs: Array<string | number>): Promise<number> };
    const written = await this.call(() =>
      client.tbFencedSet(...keys, JSON.stringify(token), token.fence, ttl, this.nearCache.channel, announcement),
    );
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

  async getStatuses(providers: readonly string[]): Promise<Array<ProviderStatus | undefined>> {
    const keys = providers.map((provider) => this.key(provider, 'status'));
    const raws = await this.call(() => getMany(this.redis, keys));
    return raws.map((raw) => fromJson<ProviderStatus>(raw));
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

  /** For readiness: answers at once while Redis is away, and as soon as the connection is lost. */
  async ping(): Promise<void> {
    await this.outage.withoutWaiting(() => this.call(() => this.redis.ping()));
  }

  private keepForWriteBack(provider: string, token: StoredToken): void {
    const kept = this.writeBacks.get(provider);
    if (!kept || kept.fence <= token.fence) this.writeBacks.set(provider, token);
    this.nearCache.rememberOwn(provider, this.writeBacks.get(provider));
  }

  /** Fenced like any write: a token another replica stored meanwhile with a higher fence stays. */
  private async writeBack(): Promise<void> {
    for (const [provider, token] of [...this.writeBacks]) {
      this.writeBacks.delete(provider);
      if (token.expiresAt <= Date.now()) continue;
      try {
        await this.put(provider, token);
      } catch (error) {
        this.logger.warn(
          `${provider}: token obtained while Redis was away not written back (${(error as Error).message}); kept for the next reconnect`,
        );
        if (!this.writeBacks.has(provider)) this.writeBacks.set(provider, token);
      }
    }
  }

  private async getJson<T>(provider: string, kind: string): Promise<T | undefined> {
    return fromJson<T>(await this.call(() => this.redis.get(this.key(provider, kind))));
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

function fromJson<T>(raw: string | null): T | undefined {
  return raw ? (JSON.parse(raw) as T) : undefined;
}
