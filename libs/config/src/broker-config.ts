/** When a token is pre-refreshed: a share of its lifetime, or a fixed number of seconds before expiry. */
export type RefreshBefore = { kind: 'percent'; value: number } | { kind: 'seconds'; value: number };

/** One entry under `providers:` in PROVIDERS_FILE. Type-specific fields stay raw in `options`. */
export interface ProviderInstanceConfig {
  /** The `:provider` in the URL. */
  id: string;
  type: string;
  baseUrl?: string;
  refreshBefore: RefreshBefore;
  /** Caps upstream token calls across all replicas; the type's documented limit when unset. */
  requestsPerMinute?: number;
  options: Record<string, unknown>;
  /** Where the instance is configured, for error messages: `PROVIDERS_FILE config/providers.yaml`. */
  definedIn?: string;
}

export interface FileCredentialStoreConfig {
  backend: 'file';
  file: string;
}

export interface VaultCredentialStoreConfig {
  backend: 'vault';
  address: string;
  auth: { method: 'token'; token: string } | { method: 'approle'; roleId: string; secretId: string };
  kvMount: string;
  pathPrefix: string;
}

/** The broker's AES-256 key: the credentials file and the refresh-token outbox in Redis are sealed with it. */
export interface MasterKeyConfig {
  /** base64 of 32 bytes; when absent the key is read from `masterKeyFile`, or generated there once. */
  masterKey?: string;
  masterKeyFile: string;
}

export type CredentialStoreConfig = (FileCredentialStoreConfig | VaultCredentialStoreConfig) &
  MasterKeyConfig & {
    /** How long static credential fields (client secrets, API keys) are cached in process. */
    cacheMs: number;
    /** `strict`: a key or credentials file others could read or replace stops startup; `warn`: logged only. */
    filePermissions: 'strict' | 'warn';
  };

/** A service allowed to call GET /tokens: known by the SHA-256 of its key, never the key. */
export interface CallerConfig {
  name: string;
  keySha256: string;
  allow: string[] | '*';
}

/** Where provider state changes are POSTed (README "Alerts"). */
export interface AlertsConfig {
  /** Empty: alerts are off. A webhook URL is often its own secret (Slack's path): never logged whole. */
  webhookUrls: string[];
}

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** One server (REDIS_URL); user and password, TLS (rediss://) and db travel in the URL. */
export interface SingleRedisConfig {
  topology: 'single';
  url: string;
}

/** A primary found through Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME). */
export interface SentinelRedisConfig {
  topology: 'sentinel';
  sentinels: RedisNodeAddress[];
  /** The name the sentinels monitor the primary under. */
  name: string;
  sentinelPassword?: string;
  username?: string;
  password?: string;
}

/** A Redis Cluster (REDIS_CLUSTER_NODES): the nodes listed are where discovery starts. */
export interface ClusterRedisConfig {
  topology: 'cluster';
  nodes: RedisNodeAddress[];
  username?: string;
  password?: string;
}

export type RedisConfig = SingleRedisConfig | SentinelRedisConfig | ClusterRedisConfig;

export interface BrokerConfig {
  port: number;
  host: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Unset means embedded mode: in-process token store and lock, single instance. */
  redis?: RedisConfig;
  redisKeyPrefix: string;
  providersFile: string;
  adminToken?: string;
  credentials: CredentialStoreConfig;
  upstreamTimeoutMs: number;
  refreshTickMs: number;
  /** Scheduled checks and refreshes running at once in this replica. */
  refreshConcurrency: number;
  lockTtlMs: number;
  lockWaitMs: number;
  providers: ProviderInstanceConfig[];
  callers: CallerConfig[];
  /** `missing` or `empty` (no caller listed): every /tokens call is refused until callers are configured. */
  callersFileState: 'missing' | 'empty' | 'listed';
  callersFile: string;
  /** GET /tokens calls per caller per minute, across replicas when Redis is configured. */
  callerRateLimitPerMinute: number;
  alerts: AlertsConfig;
  /** Origin browsers reach the broker at (no trailing slash, no path); unset: the connect flow is off. */
  publicUrl?: string;
}
