import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AlertsModule } from '@app/alerts';
import { BROKER_CONFIG, ConfigModule, type BrokerConfig } from '@app/config';
import { RedisModule } from '@app/redis';
import { CREDENTIAL_STORE, CredentialsModule, type CredentialStore } from '@app/credentials';
import type { VaultTestServer } from '@app/credentials/testing';
import { ProviderRegistry, ProvidersModule } from '@app/providers';
import { TOKEN_STORE, type StoredToken, type TokenStore } from '@app/token-store';
import { RefreshModule } from '../refresh.module';
import { CredentialReplacer } from '../credential-replacer.service';
import { ProviderStateService, type ProviderSnapshot } from '../provider-state.service';
import { TokenRefresher } from '../token-refresher.service';

/** Where the replicas of one test keep credentials: one encrypted file, or one KV v2 path on a Vault test server. */
export type CredentialBackend = { kind: 'file'; dir: string } | { kind: 'vault'; server: VaultTestServer; pathPrefix: string };

export interface ReplicaOptions {
  backend: CredentialBackend;
  /** Replicas that share one prefix share the lock and the token store; another prefix is a replica that lost its lock. */
  redisPrefix: string;
  redisUrl?: string;
  providersYaml: string;
  env?: Record<string, string>;
}

/** One broker replica without HTTP: the refresh path on real Redis and a real credential store. */
export interface RefreshReplica {
  refresh(provider: string, options?: { lockWaitMs?: number; validUntil?: number }): Promise<StoredToken>;
  describe(provider: string): Promise<ProviderSnapshot>;
  list(): Promise<ProviderSnapshot[]>;
  /** What PUT /admin/credentials does once the values are valid: store them, and end a "needs a person" state. */
  seed(provider: string, values: Record<string, string>): Promise<void>;
  credentials: CredentialStore;
  tokens: TokenStore;
  close(): Promise<void>;
}

/** Every snapshot of a listing, as one list. */
export async function listAll(batches: AsyncIterable<readonly ProviderSnapshot[]>): Promise<ProviderSnapshot[]> {
  const snapshots: ProviderSnapshot[] = [];
  for await (const batch of batches) snapshots.push(...batch);
  return snapshots;
}

export const TEST_MASTER_KEY = randomBytes(32).toString('base64');

export async function startReplica(options: ReplicaOptions): Promise<RefreshReplica> {
  const providersFile = join(mkdtempSync(join(tmpdir(), 'tb-replica-')), 'providers.yaml');
  writeFileSync(providersFile, options.providersYaml);
  const env: Record<string, string | undefined> = {
    PROVIDERS_FILE: providersFile,
    BROKER_MASTER_KEY: TEST_MASTER_KEY,
    REDIS_URL: options.redisUrl ?? process.env.TEST_REDIS_URL,
    REDIS_KEY_PREFIX: options.redisPrefix,
    UPSTREAM_TIMEOUT_MS: '2000',
    LOCK_TTL_MS: '600',
    ...backendEnv(options.backend),
    ...options.env,
  };
  @Module({
    imports: [
      ConfigModule.forRoot({ env, isGlobal: true }),
      RedisModule.forRootAsync({
        inject: [BROKER_CONFIG],
        useFactory: (config: BrokerConfig) => ({ connection: config.redis, keyPrefix: config.redisKeyPrefix }),
      }),
      AlertsModule.forRootAsync({ inject: [BROKER_CONFIG], useFactory: (config: BrokerConfig) => config.alerts }),
      ProvidersModule.forRootAsync({
        inject: [BROKER_CONFIG],
        useFactory: (config: BrokerConfig) => ({ instances: config.providers, upstreamTimeoutMs: config.upstreamTimeoutMs }),
      }),
      CredentialsModule.forRootAsync({
        inject: [BROKER_CONFIG],
        useFactory: (config: BrokerConfig) => ({ ...config.credentials, keySharedByReplicas: config.redis !== undefined }),
      }),
      RefreshModule.forRootAsync({
        inject: [BROKER_CONFIG],
        useFactory: (config: BrokerConfig) => ({ lockTtlMs: config.lockTtlMs, lockWaitMs: config.lockWaitMs }),
      }),
    ],
  })
  class ReplicaModule {}
  const app: INestApplicationContext = await NestFactory.createApplicationContext(ReplicaModule, { logger: false });
  const registry = app.get(ProviderRegistry);
  return {
    refresh: (provider, { lockWaitMs = 0, validUntil = Number.POSITIVE_INFINITY } = {}) =>
      app.get(TokenRefresher).refresh(registry.get(provider), { validUntil, lockWaitMs }),
    describe: (provider) => app.get(ProviderStateService).describe(provider),
    list: () => listAll(app.get(ProviderStateService).batches()),
    seed: async (provider, values) => void (await app.get(CredentialReplacer).replace(provider, values)),
    credentials: app.get<CredentialStore>(CREDENTIAL_STORE),
    tokens: app.get<TokenStore>(TOKEN_STORE),
    close: async () => {
      await app.close();
      rmSync(dirname(providersFile), { recursive: true, force: true });
    },
  };
}

function backendEnv(backend: CredentialBackend): Record<string, string> {
  if (backend.kind === 'file') return { CREDENTIALS_FILE: join(backend.dir, 'credentials.enc') };
  return { VAULT_ADDR: backend.server.url, VAULT_TOKEN: backend.server.rootToken, VAULT_PATH_PREFIX: backend.pathPrefix };
}

/** A fresh credential backend of each kind, with the one fault every test needs: refusing writes. */
export interface BackendFixture {
  backend: CredentialBackend;
  refuseWrites(refuse: boolean): void;
}

export function fileBackend(): BackendFixture {
  const dir = mkdtempSync(join(tmpdir(), 'tb-rotating-'));
  const lockPath = join(dir, 'credentials.enc.lock');
  // a directory where the store's lock file goes: the store can no longer take its write lock
  return { backend: { kind: 'file', dir }, refuseWrites: (refuse) => (refuse ? mkdirSync(lockPath) : rmdirSync(lockPath)) };
}

export function vaultBackend(server: VaultTestServer): BackendFixture {
  const pathPrefix = `tb-${randomBytes(4).toString('hex')}`;
  return { backend: { kind: 'vault', server, pathPrefix }, refuseWrites: (refuse) => (server.failWrites = refuse) };
}
