import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RedisConfig } from '@app/config';

/** What the status page says about the broker itself, fixed at startup. */
export interface BrokerFacts {
  mode: string;
  version: string;
  /** Epoch ms. */
  startedAt: number;
}

/** How this broker shares its state: the one place that turns the Redis settings into words. */
export function brokerMode(redis: RedisConfig | undefined): string {
  // never addresses or the URL itself: a URL may carry a password
  switch (redis?.topology) {
    case undefined:
      return 'embedded: one instance, tokens, status and locks in process memory';
    case 'single':
      return 'Redis, single server: tokens, status and locks shared by every replica';
    case 'sentinel':
      return `Redis with Sentinel (${redis.sentinels.length} sentinels): tokens, status and locks shared by every replica`;
    case 'cluster':
      return `Redis Cluster (${redis.nodes.length} seed nodes): tokens, status and locks shared by every replica`;
  }
}

/** The version in the package.json above the running code (dist/ in production, the sources under ts-jest). */
export function readBrokerVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    if (dirname(dir) === dir) return 'unknown';
  }
}
