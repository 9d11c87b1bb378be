import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from './redis-server';

/** What the teardown, in the same process, finds of the setup. */
export interface TestRun {
  __REDIS__?: RedisServer;
  __RUN_DIR__?: string;
}

/**
 * Gives the run one temporary directory, removed by the teardown, and points TMPDIR at it: every
 * worker and process started from here on creates its files there (credentials stores, brokers'
 * directories, Redis data), which specs that make their own would otherwise leave behind, dozens a
 * run. Then starts one real redis-server for the whole run (tests isolate by key prefix) and a log
 * capture directory.
 */
export default async function globalSetup(): Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'tb-test-run-'));
  process.env.TMPDIR = runDir;
  const redis = await new RedisServer().start();
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TB_LOG_CAPTURE_DIR = mkdtempSync(join(tmpdir(), 'tb-logs-'));
  Object.assign(globalThis as TestRun, { __REDIS__: redis, __RUN_DIR__: runDir });
}
