import { DISTRIBUTED_LOCK, type DistributedLock, LockingModule } from '@app/locking';
import { RateLimitModule, WINDOW_COUNTER, type WindowCounter } from '@app/rate-limit';
import { openRedisModule } from '@app/redis/testing';
import { TOKEN_STORE, type TokenStore, TokenStoreModule } from '@app/token-store';

/** One broker replica's Redis-backed pieces, wired by their modules as the app wires them. */
export interface RedisReplica {
  tokens: TokenStore;
  lock: DistributedLock;
  counter: WindowCounter;
  /** Closes the modules as the application's shutdown does. */
  close(): Promise<void>;
}

/** A replica's Redis-backed pieces configured from these environment variables (REDIS_URL, REDIS_CLUSTER_NODES, ...). */
export async function openRedisReplica(env: Record<string, string>): Promise<RedisReplica> {
  const redis = await openRedisModule(env, [TokenStoreModule, LockingModule, RateLimitModule]);
  return {
    tokens: redis.get(TOKEN_STORE),
    lock: redis.get(DISTRIBUTED_LOCK),
    counter: redis.get(WINDOW_COUNTER),
    close: () => redis.close(),
  };
}
