import { RedisNode } from './redis-node';
import { freePort } from './redis-server';
import { TEST_SECRETS } from './test-secrets';
import { waitFor } from './wait-for';

/**
 * A Sentinel topology from the redis-server binary: 1 primary + 1 replica watched by 3 sentinels
 * (quorum 2), all on free loopback ports, with passwords on the data nodes and on the sentinels so
 * the broker's REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD are exercised. Detection is tuned to
 * 1 s so a failover takes seconds, not the production half-minute.
 */
export class RedisSentinelTopology {
  readonly name = 'tb-primary';
  readonly password = TEST_SECRETS.redisPassword;
  readonly sentinelPassword = TEST_SECRETS.redisSentinelPassword;
  readonly dataNodes: RedisNode[] = [];
  readonly sentinels: RedisNode[] = [];

  async start(): Promise<this> {
    const [primaryPort, replicaPort, ...sentinelPorts] = await distinctFreePorts(5);
    const dataConfig = [
      `requirepass ${this.password}`,
      `masterauth ${this.password}`,
      'repl-diskless-sync yes',
      'repl-diskless-sync-delay 0',
    ];
    const primary = new RedisNode(primaryPort, dataConfig, { password: this.password });
    const replica = new RedisNode(replicaPort, [...dataConfig, `replicaof 127.0.0.1 ${primaryPort}`], { password: this.password });
    this.dataNodes.push(primary, replica);
    await Promise.all(this.dataNodes.map((node) => node.start()));
    await this.waitForReplicas();

    const sentinelConfig = [
      `sentinel monitor ${this.name} 127.0.0.1 ${primaryPort} 2`,
      `sentinel auth-pass ${this.name} ${this.password}`,
      `sentinel down-after-milliseconds ${this.name} 1000`,
      // also the wait before a sentinel retries an election that failed (twice this)
      `sentinel failover-timeout ${this.name} 1000`,
      `requirepass ${this.sentinelPassword}`,
      `sentinel sentinel-pass ${this.sentinelPassword}`,
    ];
    this.sentinels.push(
      ...sentinelPorts.map((port) => new RedisNode(port, sentinelConfig, { sentinel: true, password: this.sentinelPassword })),
    );
    await Promise.all(this.sentinels.map((sentinel) => sentinel.start()));
    // a failover needs every sentinel to know the replica and a majority of the others (hello messages, every 2 s)
    await waitFor(async () => {
      const checks = await Promise.all(
        this.sentinels.map((sentinel) => sentinel.command('SENTINEL', 'CKQUORUM', this.name).catch(() => '')),
      );
      const replicas = await Promise.all(
        this.sentinels.map((sentinel) => sentinel.command('SENTINEL', 'REPLICAS', this.name) as Promise<unknown[]>),
      );
      return checks.every((answer) => String(answer).startsWith('OK 3 usable')) && replicas.every((list) => list.length === 1);
    }, 20_000);
    return this;
  }

  /** The broker's variables for this topology. */
  env(): Record<string, string> {
    return {
      REDIS_SENTINELS: this.sentinels.map((sentinel) => sentinel.address).join(','),
      REDIS_SENTINEL_NAME: this.name,
      REDIS_SENTINEL_PASSWORD: this.sentinelPassword,
      REDIS_PASSWORD: this.password,
    };
  }

  /** The data node the sentinels currently name as primary. */
  async primary(): Promise<RedisNode> {
    const sentinel = this.sentinels.find((node) => node.alive)!;
    const [, port] = (await sentinel.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [string, string];
    return this.dataNodes.find((node) => node.port === Number(port))!;
  }

  async killPrimary(): Promise<RedisNode> {
    const primary = await this.primary();
    await primary.kill();
    return primary;
  }

  /** Resolves with the new primary once the sentinels have promoted one and it accepts writes. */
  async waitForFailover(from: RedisNode, timeoutMs = 20_000): Promise<RedisNode> {
    let promoted: RedisNode | undefined;
    await waitFor(async () => {
      const candidate = await this.primary();
      if (candidate === from || !candidate.alive) return false;
      const [role] = (await candidate.command('ROLE').catch(() => [])) as string[];
      promoted = role === 'master' ? candidate : undefined;
      return !!promoted;
    }, timeoutMs);
    return promoted!;
  }

  /** Every live data node but the primary replicates from it: the next failover has a replica to promote. */
  async waitForReplicas(timeoutMs = 10_000): Promise<void> {
    await waitFor(async () => {
      // a node Sentinel is reconfiguring drops its clients (CLIENT KILL): that poll is "not yet", not a failure
      const infos = await Promise.all(this.dataNodes.filter((node) => node.alive).map((node) => node.info('replication'))).catch(
        () => undefined,
      );
      if (!infos) return false;
      return (
        infos.filter((info) => info.role === 'master').length === 1 &&
        infos.every((info) => info.role === 'master' || info.master_link_status === 'up')
      );
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.dataNodes].map((node) => node.stop()));
  }
}

/** `count` free loopback ports, none repeated (freePort alone may hand out the same one twice). */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
