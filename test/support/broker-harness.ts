import request from 'supertest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createApp } from '../../apps/token-broker/src/create-app';
import { TEST_SECRETS } from './test-secrets';

export const ADMIN_TOKEN = TEST_SECRETS.adminToken;
export const CALLER_KEY = TEST_SECRETS.callerKey;

/** A callers file with one caller per entry; `test-caller` (allowed everything) is the default. */
export function callersYaml(callers: Record<string, { key: string; allow: string[] | '*' }>): string {
  const entries = Object.entries(callers).map(
    ([name, { key, allow }]) => `  ${name}:\n    keySha256: ${sha256(key)}\n    allow: ${JSON.stringify(allow)}`,
  );
  return `callers:\n${entries.join('\n')}\n`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export interface BrokerHarness {
  app: NestFastifyApplication;
  url: string;
  dir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  providersYaml: string;
  /** Share one Redis between instances: pass its URL and the same prefix. */
  redisUrl?: string;
  redisKeyPrefix?: string;
  /** Share one credentials file between instances. */
  dir?: string;
  /** CALLERS_FILE content; by default one caller allowed every provider, whose key getToken sends. */
  callersYaml?: string;
  masterKey?: string;
  env?: Record<string, string>;
  /** Where the broker's JSON log lines go (one destination per test file: pino's root is per process); stdout by default. */
  logDestination?: DestinationStream;
}

/** Boots the real broker app on a loopback port with its own temp directory for credentials. */
export async function startBroker(options: BrokerOptions): Promise<BrokerHarness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tb-broker-'));
  const providersFile = join(dir, `providers-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(providersFile, options.providersYaml);
  const callersFile = join(dir, `callers-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(callersFile, options.callersYaml ?? callersYaml({ 'test-caller': { key: CALLER_KEY, allow: '*' } }));
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug', // every line is checked for secrets at teardown
    PROVIDERS_FILE: providersFile,
    CALLERS_FILE: callersFile,
    CALLER_RATE_LIMIT: '100000', // tests that exercise the limit set their own
    CREDENTIALS_FILE: join(dir, 'credentials.enc'),
    BROKER_MASTER_KEY: options.masterKey ?? TEST_MASTER_KEY,
    BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
    REFRESH_TICK_MS: '100',
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: options.redisKeyPrefix ?? uniquePrefix() } : {}),
    ...options.env,
  };
  // through process.stdout, so the run's log capture (and tests that watch stdout) see every line
  const app = await createApp({ env, logDestination: options.logDestination ?? process.stdout });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url: url.replace('[::1]', '127.0.0.1'),
    dir,
    env,
    close: async () => {
      await app.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_MASTER_KEY = randomBytes(32).toString('base64');

export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}:`;
}

export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests through jest (global setup starts redis-server)');
  return url;
}

/** Every e2e call to GET /tokens goes through here, so caller authentication is added in one place. */
export function getToken(broker: Pick<BrokerHarness, 'url'>, provider: string, query = '', key: string = CALLER_KEY): request.Test {
  return request(broker.url).get(`/tokens/${provider}${query}`).set('authorization', `Bearer ${key}`);
}

/** Seeds credentials through the real admin API. */
export async function putCredentials(broker: Pick<BrokerHarness, 'url'>, provider: string, values: Record<string, string>): Promise<void> {
  await request(broker.url).put(`/admin/credentials/${provider}`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send(values).expect(204);
}
