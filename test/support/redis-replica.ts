import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_CONFIG, ConfigModule, type BrokerConfig } from '@app/config';
import { DISTRIBUTED_LOCK, type DistributedLock, LockingModule } from '@app/locking';
import { RateLimitModule, WINDOW_COUNTER, type WindowCounter } from '@app/rate-limit';
import { RedisModule } from '@app/redis';
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
  const dir = mkdtempSync(join(tmpdir(), 'tb-redis-replica-'));
  writeFileSync(join(dir, 'providers.yaml'), 'providers:\n');
  const config = { PROVIDERS_FILE: join(dir, 'providers.yaml'), CALLERS_FILE: join(dir, 'callers.yaml'), ...env };
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ env: config, isGlobal: true }),
      RedisModule.forRootAsync({
        inject: [BROKER_CONFIG],
        useFactory: (broker: BrokerConfig) => ({ connection: broker.redis, keyPrefix: broker.redisKeyPrefix }),
      }),
      TokenStoreModule,
      LockingModule,
      RateLimitModule,
    ],
  }).compile();
  await moduleRef.init();
  return {
    tokens: moduleRef.get(TOKEN_STORE),
    lock: moduleRef.get(DISTRIBUTED_LOCK),
    counter: moduleRef.get(WINDOW_COUNTER),
    close: async () => {
      await moduleRef.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
