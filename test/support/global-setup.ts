import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from './redis-server';

/** Starts one real redis-server for the whole run (tests isolate by key prefix) and a log capture directory. */
export default async function globalSetup(): Promise<void> {
  const redis = await new RedisServer().start();
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TB_LOG_CAPTURE_DIR = mkdtempSync(join(tmpdir(), 'tb-logs-'));
  (globalThis as { __REDIS__?: RedisServer }).__REDIS__ = redis;
}
