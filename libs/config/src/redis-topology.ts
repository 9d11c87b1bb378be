import { ConfigError } from '@app/errors';
import type { RedisConfig, RedisNodeAddress } from './broker-config';
import type { Environment } from './environment';

/** `host:port[,host:port...]`: a host name, an IPv4 address or a bracketed IPv6 address. */
export const HOST_PORT_LIST =
  /^\s*(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}\s*(?:,\s*(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}\s*)*$/;

const TOPOLOGY_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/**
 * Which Redis the broker uses: one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES, or none
 * (embedded mode). A combination that would be silently half-used stops startup instead, and no
 * message repeats a password or a URL (which may hold one).
 */
export function redisConfig(e: Environment): RedisConfig | undefined {
  const set = TOPOLOGY_VARIABLES.filter((name) => e[name] !== undefined);
  if (set.length > 1) throw new ConfigError(`set only one of ${TOPOLOGY_VARIABLES.join(', ')} (${set.join(' and ')} are set)`);
  requireOnlyWith(e, ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD'], 'REDIS_SENTINELS', e.REDIS_SENTINELS);
  const auth = { username: e.REDIS_USERNAME, password: e.REDIS_PASSWORD };
  if (e.REDIS_URL) {
    for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD'] as const) {
      if (e[name] !== undefined)
        throw new ConfigError(
          `${name} applies to REDIS_SENTINELS and REDIS_CLUSTER_NODES; with REDIS_URL put it in the URL (redis://user:password@host:6379)`,
        );
    }
    return { topology: 'single', url: checkedRedisUrl(e.REDIS_URL) };
  }
  if (e.REDIS_SENTINELS) {
    if (!e.REDIS_SENTINEL_NAME)
      throw new ConfigError('REDIS_SENTINELS is set: set REDIS_SENTINEL_NAME to the name the sentinels monitor the primary under');
    const sentinels = addresses('REDIS_SENTINELS', e.REDIS_SENTINELS);
    return { topology: 'sentinel', sentinels, name: e.REDIS_SENTINEL_NAME, sentinelPassword: e.REDIS_SENTINEL_PASSWORD, ...auth };
  }
  if (e.REDIS_CLUSTER_NODES) return { topology: 'cluster', nodes: addresses('REDIS_CLUSTER_NODES', e.REDIS_CLUSTER_NODES), ...auth };
  requireOnlyWith(e, ['REDIS_USERNAME', 'REDIS_PASSWORD'], 'REDIS_SENTINELS or REDIS_CLUSTER_NODES', undefined);
  return undefined;
}

function requireOnlyWith(e: Environment, names: readonly (keyof Environment)[], needed: string, neededValue: string | undefined): void {
  if (neededValue !== undefined) return;
  const stray = names.find((name) => e[name] !== undefined);
  if (stray) throw new ConfigError(`${stray} is set without ${needed}`);
}

/** The syntax is checked by the environment rule; this catches what only a URL parser sees. */
function checkedRedisUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed?.hostname || !/^(\/\d{0,2})?$/.test(parsed.pathname)) {
    throw new ConfigError('REDIS_URL must look like redis[s]://[user:password@]host[:port][/db]');
  }
  return url;
}

function addresses(name: string, list: string): RedisNodeAddress[] {
  return list.split(',').map((entry) => {
    const [, host, port] = /^\s*\[?([^\]]+?)\]?:(\d+)\s*$/.exec(entry)!;
    if (Number(port) < 1 || Number(port) > 65535) throw new ConfigError(`${name} has port ${port}, outside 1-65535 (got "${list}")`);
    return { host, port: Number(port) };
  });
}
