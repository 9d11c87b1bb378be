import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/errors';
import { loadBrokerConfig } from './load-broker-config';

describe('Redis topology from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-redis-config-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n  sd: { type: smartdocumentor }\n');
  const load = (env: Record<string, string | undefined>) => loadBrokerConfig({ PROVIDERS_FILE: providersFile, ...env }).redis;
  const secret = 'tb-config-spec-password-0c1d';

  it('is absent (embedded mode) when no topology is set', () => {
    expect(load({})).toBeUndefined();
  });

  it('reads one server from REDIS_URL, credentials and db in the URL', () => {
    expect(load({ REDIS_URL: 'rediss://app:pw@redis.internal:6380/2' })).toEqual({
      topology: 'single',
      url: 'rediss://app:pw@redis.internal:6380/2',
    });
  });

  it('reads Sentinel: sentinels, primary name and both passwords', () => {
    expect(
      load({
        REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1:26379,[::1]:26380',
        REDIS_SENTINEL_NAME: 'tb-primary',
        REDIS_SENTINEL_PASSWORD: 's-pw',
        REDIS_USERNAME: 'broker',
        REDIS_PASSWORD: 'd-pw',
      }),
    ).toEqual({
      topology: 'sentinel',
      sentinels: [
        { host: 'sentinel-0', port: 26379 },
        { host: 'sentinel-1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'tb-primary',
      sentinelPassword: 's-pw',
      username: 'broker',
      password: 'd-pw',
    });
  });

  it('reads Cluster: start nodes and the data-node password', () => {
    expect(load({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000', REDIS_PASSWORD: 'd-pw' })).toEqual({
      topology: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7000 },
      ],
      username: undefined,
      password: 'd-pw',
    });
  });

  it.each([
    [
      { REDIS_URL: 'redis://a:6379', REDIS_SENTINELS: 'b:26379', REDIS_SENTINEL_NAME: 'p' },
      /^set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES \(REDIS_URL and REDIS_SENTINELS are set\)$/,
    ],
    [
      { REDIS_SENTINELS: 'b:26379', REDIS_SENTINEL_NAME: 'p', REDIS_CLUSTER_NODES: 'c:7000' },
      /^set only one of .* \(REDIS_SENTINELS and REDIS_CLUSTER_NODES are set\)$/,
    ],
    [{ REDIS_SENTINELS: 'b:26379' }, /^REDIS_SENTINELS is set: set REDIS_SENTINEL_NAME/],
    [{ REDIS_SENTINEL_NAME: 'p' }, /^REDIS_SENTINEL_NAME is set without REDIS_SENTINELS$/],
    [{ REDIS_CLUSTER_NODES: 'c:7000', REDIS_SENTINEL_PASSWORD: secret }, /^REDIS_SENTINEL_PASSWORD is set without REDIS_SENTINELS$/],
    [{ REDIS_PASSWORD: secret }, /^REDIS_PASSWORD is set without REDIS_SENTINELS or REDIS_CLUSTER_NODES$/],
    [
      { REDIS_URL: 'redis://a:6379', REDIS_PASSWORD: secret },
      /^REDIS_PASSWORD applies to REDIS_SENTINELS and REDIS_CLUSTER_NODES; with REDIS_URL put it in the URL/,
    ],
    [{ REDIS_SENTINELS: 'b', REDIS_SENTINEL_NAME: 'p' }, /^REDIS_SENTINELS must be a comma-separated list of host:port \(got "b"\)$/],
    [{ REDIS_CLUSTER_NODES: 'c:7000,,d:7000' }, /^REDIS_CLUSTER_NODES must be a comma-separated list of host:port/],
    [{ REDIS_CLUSTER_NODES: 'redis://c:7000' }, /^REDIS_CLUSTER_NODES must be a comma-separated list of host:port/],
    [{ REDIS_CLUSTER_NODES: 'c:70000' }, /^REDIS_CLUSTER_NODES has port 70000, outside 1-65535/],
    [{ REDIS_SENTINELS: 'b:26379', REDIS_SENTINEL_NAME: 'has space' }, /^REDIS_SENTINEL_NAME must be the monitored primary's name/],
    [{ REDIS_URL: `redis://:${secret}@host:port` }, /^REDIS_URL must look like redis\[s\]:\/\/\[user:password@\]host\[:port\]\[\/db\]$/],
    [{ REDIS_URL: `redis://:${secret}@host:6379/db/x` }, /^REDIS_URL must look like/],
    [{ REDIS_URL: `http://:${secret}@host:6379` }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL$/],
  ])('stops with one line naming the variables for %j', (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });

  it.each([
    { REDIS_URL: `redis://:${secret}@host:port` },
    { REDIS_URL: `ftp://:${secret}@host` },
    { REDIS_PASSWORD: secret },
    { REDIS_CLUSTER_NODES: 'c:1', REDIS_SENTINEL_PASSWORD: secret },
  ])('never repeats a password in its error (%#)', (env) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).not.toThrow(secret);
  });
});
