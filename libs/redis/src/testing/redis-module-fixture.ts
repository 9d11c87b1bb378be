import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_CONFIG, ConfigModule, type BrokerConfig } from '@app/config';
import type { RedisClient } from '../redis-client.factory';
import { RedisConnectionState } from '../redis-connection-state';
import { REDIS_CLIENT, RedisModule } from '../redis.module';

export interface RedisModuleFixture {
  client: RedisClient;
  state: RedisConnectionState;
  /** A provider of the module or of the modules imported beside it. */
  get<T>(token: string | symbol): T;
  /** Closes the module as the application's shutdown does. */
  close(): Promise<void>;
}

/**
 * RedisModule as the broker builds it, from these environment variables, until it is ready, with
 * `imports` (modules that use it, such as the token store) beside it.
 */
export async function openRedisModule(env: Record<string, string>, imports: ModuleMetadata['imports'] = []): Promise<RedisModuleFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-redis-module-'));
  writeFileSync(join(dir, 'providers.yaml'), 'providers:\n');
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({
        env: { PROVIDERS_FILE: join(dir, 'providers.yaml'), CALLERS_FILE: join(dir, 'callers.yaml'), ...env },
        isGlobal: true,
      }),
      RedisModule.forRootAsync({
        inject: [BROKER_CONFIG],
        useFactory: (config: BrokerConfig) => ({ connection: config.redis, keyPrefix: config.redisKeyPrefix }),
      }),
      ...imports,
    ],
  }).compile();
  await moduleRef.init();
  const client = moduleRef.get<RedisClient>(REDIS_CLIENT);
  const state = moduleRef.get(RedisConnectionState);
  await untilReady(state, 15_000);
  return {
    client,
    state,
    get: <T>(token: string | symbol) => moduleRef.get<T>(token),
    close: async () => {
      await moduleRef.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function untilReady(state: RedisConnectionState, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (state.isReady()) return resolve();
    const timer = setTimeout(() => (stop(), reject(new Error(`Redis client not ready within ${timeoutMs} ms`))), timeoutMs);
    const stop = state.onChange((ready) => {
      if (!ready) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}
