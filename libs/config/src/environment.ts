import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBase64, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { ConfigError } from '@app/errors';
import { HOST_PORT_LIST } from './redis-topology';

/** One wording wherever a master key is refused (this variable, and the key file in @app/credentials). */
const MASTER_KEY_RULE = 'must be base64 of exactly 32 random bytes (make one with: openssl rand -base64 32)';

/**
 * A whole number written in plain decimal digits. Only such strings are converted: "0x10", "1e3"
 * or " 5" would pass Number(), so they stay strings and fail the integer rule.
 */
function DecimalInteger(): PropertyDecorator {
  const toNumber = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value,
  );
  const isInteger = IsInt({ message: 'must be a whole number in plain decimal digits' });
  return (target, property) => {
    toNumber(target, property);
    isInteger(target, property);
  };
}

/**
 * Every environment variable the broker reads, with its rule. Keep in step with README and
 * .env.example. Numbers arrive as strings and must be plain decimal digits (DecimalInteger).
 */
export class Environment {
  /** 0 picks a free port (tests). */
  @IsOptional()
  @DecimalInteger()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @IsString()
  HOST = '0.0.0.0';

  @IsOptional()
  @IsIn(['debug', 'info', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  /** One Redis server. Exclusive with REDIS_SENTINELS and REDIS_CLUSTER_NODES (see redis-topology.ts). */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Sentinel mode: the sentinels to ask for the current primary of REDIS_SENTINEL_NAME. */
  @IsOptional()
  @Matches(HOST_PORT_LIST, { message: 'must be a comma-separated list of host:port' })
  REDIS_SENTINELS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: "must be the monitored primary's name (A-Z a-z 0-9 . _ -)" })
  REDIS_SENTINEL_NAME?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** Cluster mode: some of the cluster's nodes; the rest are discovered. */
  @IsOptional()
  @Matches(HOST_PORT_LIST, { message: 'must be a comma-separated list of host:port' })
  REDIS_CLUSTER_NODES?: string;

  /** ACL user and password of the data nodes in Sentinel and Cluster mode (REDIS_URL carries its own). */
  @IsOptional()
  @IsString()
  REDIS_USERNAME?: string;

  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9:_-]{1,32}$/, { message: 'must be 1-32 characters of A-Z a-z 0-9 : _ -' })
  REDIS_KEY_PREFIX = 'tb:';

  @IsOptional()
  @IsString()
  PROVIDERS_FILE = 'config/providers.yaml';

  /** Guessable admin tokens are refused: 32+ characters, no whitespace, not one character repeated. */
  @IsOptional()
  @Matches(/^(?!(.)\1*$)\S{32,}$/, {
    message: 'must be at least 32 characters without whitespace, not one character repeated (make one with: openssl rand -base64 32)',
  })
  BROKER_ADMIN_TOKEN?: string;

  @IsOptional()
  @IsString()
  CALLERS_FILE = 'config/callers.yaml';

  @IsOptional()
  @DecimalInteger()
  @Min(1)
  @Max(1_000_000)
  CALLER_RATE_LIMIT = 600;

  @IsOptional()
  @IsString()
  CREDENTIALS_FILE = 'data/credentials.enc';

  @IsOptional()
  @IsBase64(undefined, { message: MASTER_KEY_RULE })
  BROKER_MASTER_KEY?: string;

  @IsOptional()
  @IsString()
  BROKER_MASTER_KEY_FILE = 'data/master.key';

  /** `warn` starts despite a key or credentials file others can read (README "Where credentials live"). */
  @IsOptional()
  @IsIn(['strict', 'warn'])
  CREDENTIALS_FILE_PERMISSIONS: 'strict' | 'warn' = 'strict';

  /** Set = credentials live in HashiCorp Vault KV v2 instead of the encrypted file. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, { message: 'must be an http(s) URL like https://vault.example.com:8200' })
  VAULT_ADDR?: string;

  @IsOptional()
  @IsString()
  VAULT_TOKEN?: string;

  @IsOptional()
  @IsString()
  VAULT_ROLE_ID?: string;

  @IsOptional()
  @IsString()
  VAULT_SECRET_ID?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, { message: 'must be a mount path like secret' })
  VAULT_KV_MOUNT = 'secret';

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, { message: 'must be a path like token-broker or teams/payments' })
  VAULT_PATH_PREFIX = 'token-broker';

  @IsOptional()
  @DecimalInteger()
  @Min(0)
  @Max(3_600_000)
  CREDENTIALS_CACHE_MS = 30_000;

  @IsOptional()
  @DecimalInteger()
  @Min(100)
  @Max(120_000)
  UPSTREAM_TIMEOUT_MS = 10_000;

  @IsOptional()
  @DecimalInteger()
  @Min(50)
  @Max(60_000)
  REFRESH_TICK_MS = 1_000;

  @IsOptional()
  @DecimalInteger()
  @Min(1)
  @Max(1_000)
  REFRESH_CONCURRENCY = 32;

  @IsOptional()
  @DecimalInteger()
  @Min(500)
  @Max(300_000)
  LOCK_TTL_MS = 15_000;

  @IsOptional()
  @DecimalInteger()
  @Min(0)
  @Max(300_000)
  LOCK_WAIT_MS = 20_000;

  /** Comma-separated; each entry is checked by parseAlertWebhookUrls, whose errors never repeat a URL. */
  @IsOptional()
  @IsString()
  ALERT_WEBHOOK_URLS?: string;

  /** Where browsers reach the broker; checked by parsePublicUrl. The connect flow's redirect_uri is built on it. */
  @IsOptional()
  @IsString()
  PUBLIC_URL?: string;
}

/** Parses and validates the environment; throws one ConfigError naming the first bad variable. Empty means unset. */
export function parseEnvironment(env: Record<string, string | undefined>): Environment {
  const parsed = plainToInstance(Environment, stripEmpty(env), { exposeDefaultValues: true });
  const [first] = validateSync(parsed, { forbidUnknownValues: false });
  if (first) {
    const constraints = first.constraints ?? {};
    // the type rule says more than a range rule about a value like "abc"
    const rule = constraints.isInt ?? constraints.isIn ?? Object.values(constraints)[0] ?? 'is invalid';
    const shown = isSecret(first.property) ? '' : ` (got "${String(env[first.property])}")`;
    throw new ConfigError(`${first.property} ${rule.replace(new RegExp(`^${first.property} `), '')}${shown}`);
  }
  if (parsed.BROKER_MASTER_KEY && Buffer.from(parsed.BROKER_MASTER_KEY, 'base64').length !== 32) {
    throw new ConfigError(`BROKER_MASTER_KEY ${MASTER_KEY_RULE}`);
  }
  if (parsed.VAULT_ADDR && !parsed.VAULT_TOKEN && !(parsed.VAULT_ROLE_ID && parsed.VAULT_SECRET_ID)) {
    throw new ConfigError('VAULT_ADDR is set: set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole');
  }
  if (!parsed.VAULT_TOKEN && !!parsed.VAULT_ROLE_ID !== !!parsed.VAULT_SECRET_ID) {
    throw new ConfigError('VAULT_ROLE_ID and VAULT_SECRET_ID must be set together');
  }
  return parsed;
}

function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

function isSecret(name: string): boolean {
  // a Redis URL may carry the password
  return /TOKEN|KEY|SECRET|PASSWORD/.test(name) || name === 'REDIS_URL';
}
