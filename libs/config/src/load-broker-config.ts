import { parseAlertWebhookUrls } from './alert-webhook-urls';
import { BrokerConfig, CredentialStoreConfig } from './broker-config';
import { Environment, parseEnvironment } from './environment';
import { loadCallersFile } from './callers-file';
import { loadProvidersFile } from './providers-file';
import { parsePublicUrl } from './public-url';
import { redisConfig } from './redis-topology';

/** The single place that turns environment variables and PROVIDERS_FILE into typed config. */
export function loadBrokerConfig(env: Record<string, string | undefined>): BrokerConfig {
  const e = parseEnvironment(env);
  const providers = loadProvidersFile(e.PROVIDERS_FILE);
  const { callers, callersFileState } = loadCallersFile(
    e.CALLERS_FILE,
    providers.map((p) => p.id),
  );
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    redis: redisConfig(e),
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    providersFile: e.PROVIDERS_FILE,
    adminToken: e.BROKER_ADMIN_TOKEN,
    credentials: credentialStoreConfig(e),
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    refreshTickMs: e.REFRESH_TICK_MS,
    refreshConcurrency: e.REFRESH_CONCURRENCY,
    lockTtlMs: e.LOCK_TTL_MS,
    lockWaitMs: e.LOCK_WAIT_MS,
    providers,
    callers,
    callersFileState,
    callersFile: e.CALLERS_FILE,
    callerRateLimitPerMinute: e.CALLER_RATE_LIMIT,
    alerts: { webhookUrls: parseAlertWebhookUrls(e.ALERT_WEBHOOK_URLS) },
    publicUrl: parsePublicUrl(e.PUBLIC_URL),
  };
}

/** Vault when VAULT_ADDR is set, otherwise the encrypted file. */
function credentialStoreConfig(e: Environment): CredentialStoreConfig {
  const shared = {
    masterKey: e.BROKER_MASTER_KEY,
    masterKeyFile: e.BROKER_MASTER_KEY_FILE,
    cacheMs: e.CREDENTIALS_CACHE_MS,
    filePermissions: e.CREDENTIALS_FILE_PERMISSIONS,
  };
  if (!e.VAULT_ADDR) return { backend: 'file', file: e.CREDENTIALS_FILE, ...shared };
  return {
    backend: 'vault',
    address: e.VAULT_ADDR.replace(/\/$/, ''),
    auth: e.VAULT_TOKEN
      ? { method: 'token', token: e.VAULT_TOKEN }
      : { method: 'approle', roleId: e.VAULT_ROLE_ID!, secretId: e.VAULT_SECRET_ID! },
    kvMount: e.VAULT_KV_MOUNT,
    pathPrefix: e.VAULT_PATH_PREFIX,
    ...shared,
  };
}
