import type Redis from 'ioredis';
import { TokenStoreUnreachableError } from '@app/errors';
import type { RedisConnectionState } from '@app/redis';

/**
 * Whether Redis is known to be away, and since when. A command sent meanwhile waits in the client's
 * offline queue for up to a failover's length (FAILOVER_WAIT_MS): fine for background work, not for
 * a caller. Commands run `withoutWaiting` fail at once while Redis is away, and the moment the
 * connection is lost while they are pending (one sent just before would otherwise wait for Redis to
 * come back).
 */
export class RedisOutage {
  private lostAt?: number;
  private readonly abandonOnLoss = new Set<(error: Error) => void>();

  constructor(redis: Redis, connection: RedisConnectionState, onBack: () => void) {
    connection.onChange((ready) => {
      if (!ready) return this.lost();
      this.lostAt = undefined;
      onBack();
    });
    // a first connection that fails changes no state: it was never ready
    redis.on('close', () => {
      if (!connection.isReady()) this.lost();
    });
  }

  /** Epoch ms; undefined while Redis is reachable. */
  get since(): number | undefined {
    return this.lostAt;
  }

  withoutWaiting<T>(command: () => Promise<T>): Promise<T> {
    if (this.lostAt !== undefined) return Promise.reject(this.error());
    return new Promise<T>((resolve, reject) => {
      this.abandonOnLoss.add(reject);
      command()
        .then(resolve, reject)
        .finally(() => this.abandonOnLoss.delete(reject));
    });
  }

  private lost(): void {
    this.lostAt ??= Date.now();
    const error = this.error();
    for (const abandon of this.abandonOnLoss) abandon(error);
    this.abandonOnLoss.clear();
  }

  private error(): TokenStoreUnreachableError {
    return new TokenStoreUnreachableError(this.lostAt ?? Date.now(), 'serving tokens known to be valid from memory');
  }
}
