import { BrokerConfig } from './broker-config';
import { parseEnvironment } from './environment';
import { loadProvidersFile } from './providers-file';

/** The single place that turns environment variables and PROVIDERS_FILE into typed config. */
export function loadBrokerConfig(env: Record<string, string | undefined>): BrokerConfig {
  const e = parseEnvironment(env);
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    providersFile: e.PROVIDERS_FILE,
    adminToken: e.BROKER_ADMIN_TOKEN,
    credentials: {
      backend: 'file',
      file: e.CREDENTIALS_FILE,
      masterKey: e.BROKER_MASTER_KEY,
      masterKeyFile: e.BROKER_MASTER_KEY_FILE,
    },
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    refreshTickMs: e.REFRESH_TICK_MS,
    lockTtlMs: e.LOCK_TTL_MS,
    lockWaitMs: e.LOCK_WAIT_MS,
    providers: loadProvidersFile(e.PROVIDERS_FILE),
  };
}
