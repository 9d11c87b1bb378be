import { RedisServer } from './redis-server';

/** Starts one real redis-server for the whole run; tests isolate themselves by key prefix. */
export default async function globalSetup(): Promise<void> {
  const redis = await new RedisServer().start();
  process.env.TEST_REDIS_URL = redis.url;
  (globalThis as { __REDIS__?: RedisServer }).__REDIS__ = redis;
}
