import type Redis from 'ioredis';
import { TokenStoreUnavailableError } from '@app/errors';
import { ConnectStateStore, PendingAuthorization } from './connect-state-store';

/**
 * One key per pending authorization, `<prefix>{connect}:state:<state hash>`, expiring with it. The
 * hash tag keeps them in one slot of a cluster; GETDEL makes taking one atomic across replicas.
 */
export class RedisConnectStateStore implements ConnectStateStore {
  readonly description = 'Redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async put(stateHash: string, pending: PendingAuthorization, ttlMs: number): Promise<void> {
    await this.call(() => this.redis.set(this.key(stateHash), JSON.stringify(pending), 'PX', ttlMs));
  }

  async take(stateHash: string): Promise<PendingAuthorization | undefined> {
    const raw = await this.call(() => this.redis.getdel(this.key(stateHash)));
    return raw === null ? undefined : (JSON.parse(raw) as PendingAuthorization);
  }

  private key(stateHash: string): string {
    return `${this.prefix}{connect}:state:${stateHash}`;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new TokenStoreUnavailableError(`Redis is unavailable (${(error as Error).message})`, { cause: error });
    }
  }
}
