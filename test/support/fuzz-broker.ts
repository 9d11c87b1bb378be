import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerProcess } from './broker-process';
import { callersYaml, testRedisUrl, uniquePrefix } from './broker-harness';
import { keepAliveAgent, send } from './fuzz-http';
import type { FuzzRandom } from './fuzz-random';
import { volumeRequest, type FuzzRequest } from './fuzz-requests';
import { DEMO_CLIENT, KEYS } from './fuzz-world';
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

/**
 * Stores credentials for both providers and fetches their tokens (cached for an hour, so valid
 * callers are served whatever the upstreams do), then warms up with 2,000 volume requests.
 */
export async function seedAndWarm(port: number, rng: FuzzRandom, addresses: { volume: string; valid: string }): Promise<void> {
  const agent = keepAliveAgent(8);
  const expectStatus = async (asked: FuzzRequest, status: number) => {
    const outcome = await send(port, agent, asked, addresses.valid, 5_000);
    const got = typeof outcome === 'string' ? outcome : outcome.status;
    if (got !== status) throw new Error(`seeding: ${asked.method} ${asked.path} answered ${got}, not ${status}`);
  };
  const body = JSON.stringify({ client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret });
  for (const provider of ['flaky', 'spare']) {
    const headers = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };
    await expectStatus({ routeClass: 'admin', method: 'PUT', path: `/admin/credentials/${provider}`, headers, body }, 204);
    await expectStatus(
      { routeClass: 'tokens', method: 'GET', path: `/tokens/${provider}`, headers: { authorization: `Bearer ${KEYS.valid}` } },
      200,
    );
  }
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 250; i += 1) await send(port, agent, volumeRequest(rng), addresses.volume, 15_000);
    }),
  );
  agent.destroy();
}

/** The process's resources once its connection count has settled (down to `fdsAtMost`, or steady). */
export async function settledResources(pid: number, fdsAtMost = 0, timeoutMs = 15_000): Promise<{ rss: number; fds: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = processResources(pid);
  for (;;) {
    await sleep(500);
    const now = processResources(pid);
    if ((fdsAtMost && now.fds <= fdsAtMost) || (!fdsAtMost && now.fds === last.fds) || Date.now() > deadline) return now;
    last = now;
  }
}

export function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
