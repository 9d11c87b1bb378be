import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerProcess } from './broker-process';
import { callersYaml, testRedisUrl, uniquePrefix } from './broker-harness';
import { KEYS } from './fuzz-world';
import { freePort } from './redis-server';

export interface FuzzBrokerSettings {
  upstreams: { flaky: string; spare: string };
  upstreamTimeoutMs: number;
  callerRateLimit: number;
}

/**
 * The broker process the fuzz run attacks: real Redis, the encrypted file store, two upstreams
 * (both switched between faults), the valid callers' caller, the fuzzer's, and one allowed `spare` only.
 */
export async function startFuzzBroker(dir: string, settings: FuzzBrokerSettings): Promise<BrokerProcess> {
  const { flaky, spare } = settings.upstreams;
  // a per-minute budget on flaky, so "over the provider's limit" is among the failures too
  writeFileSync(
    join(dir, 'providers.yaml'),
    `providers:\n  flaky: { type: smartdocumentor, baseUrl: "${flaky}", requestsPerMinute: 60 }\n  spare: { type: smartdocumentor, baseUrl: "${spare}" }\n`,
  );
  writeFileSync(
    join(dir, 'callers.yaml'),
    callersYaml({
      'valid-caller': { key: KEYS.valid, allow: '*' },
      'fuzz-caller': { key: KEYS.fuzz, allow: ['flaky', 'spare'] },
      narrow: { key: KEYS.narrow, allow: ['spare'] },
    }),
  );
  const broker = new BrokerProcess(await freePort(), {
    PROVIDERS_FILE: join(dir, 'providers.yaml'),
    CALLERS_FILE: join(dir, 'callers.yaml'),
    CREDENTIALS_FILE: join(dir, 'credentials.enc'),
    BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
    BROKER_ADMIN_TOKEN: KEYS.admin,
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: uniquePrefix(),
    LOG_LEVEL: 'debug',
    CALLER_RATE_LIMIT: String(settings.callerRateLimit),
    UPSTREAM_TIMEOUT_MS: String(settings.upstreamTimeoutMs),
    LOCK_WAIT_MS: '1000',
  });
  await broker.start();
  return broker;
}

/** Resident memory (bytes) and open file descriptors of a process, from /proc. */
export function processResources(pid: number): { rss: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return { rss: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}
