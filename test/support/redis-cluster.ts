import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RedisNode } from './redis-node';
import { distinctFreePorts } from './redis-sentinel';
import { TEST_SECRETS } from './test-secrets';
import { waitFor } from './wait-for';

type SlotRange = [number, number, [string, number, ...unknown[]], ...unknown[]];

/**
 * A Redis Cluster from the redis-server binary: 3 primaries + 3 replicas on free loopback ports
 * (`redis-cli --cluster create --cluster-replicas 1`), password-protected so the broker's
 * REDIS_PASSWORD is exercised. A 1 s node timeout makes a failover take seconds; replicas may
 * always take over (validity factor 0), since these nodes hold test data only.
 */
export class RedisClusterTopology {
  readonly password = TEST_SECRETS.redisPassword;
  readonly nodes: RedisNode[] = [];

  async start(): Promise<this> {
    // each node also needs a cluster bus port: port + 10000 might be taken or out of range
    const ports = await distinctFreePorts(12);
    for (let i = 0; i < 6; i += 1) {
      this.nodes.push(
        new RedisNode(
          ports[i],
          [
            'cluster-enabled yes',
            `cluster-port ${ports[i + 6]}`,
            'cluster-config-file nodes.conf',
            'cluster-node-timeout 1000',
            'cluster-replica-validity-factor 0',
            `requirepass ${this.password}`,
            `masterauth ${this.password}`,
            'repl-diskless-sync yes',
            'repl-diskless-sync-delay 0',
          ],
          { password: this.password },
        ),
      );
    }
    await Promise.all(this.nodes.map((node) => node.start()));
    await promisify(execFile)(
      'redis-cli',
      ['--cluster', 'create', ...this.nodes.map((node) => node.address), '--cluster-replicas', '1', '--cluster-yes'],
      {
        env: { ...process.env, REDISCLI_AUTH: this.password }, // not -a: that would put the password in the process list
      },
    );
    await this.waitUntilHealthy(20_000);
    return this;
  }

  /** The broker's variables for this topology: the primaries are enough to discover the rest. */
  env(): Record<string, string> {
    return {
      REDIS_CLUSTER_NODES: this.nodes
        .slice(0, 3)
        .map((node) => node.address)
        .join(','),
      REDIS_PASSWORD: this.password,
    };
  }

  /** The primary that serves `key`'s slot, as the live nodes see it. */
  async primaryFor(key: string): Promise<RedisNode> {
    const node = this.nodes.find((candidate) => candidate.alive)!;
    const slot = Number(await node.command('CLUSTER', 'KEYSLOT', key));
    const ranges = (await node.command('CLUSTER', 'SLOTS')) as SlotRange[];
    const [, , [, port]] = ranges.find(([first, last]) => slot >= first && slot <= last)!;
    return this.nodes.find((candidate) => candidate.port === port)!;
  }

  async killPrimaryFor(key: string): Promise<RedisNode> {
    const primary = await this.primaryFor(key);
    await primary.kill();
    return primary;
  }

  /** Resolves with `key`'s new primary once a replica has taken over from `from` and the cluster is whole again. */
  async waitForFailover(key: string, from: RedisNode, timeoutMs = 20_000): Promise<RedisNode> {
    let promoted: RedisNode | undefined;
    await waitFor(async () => {
      const candidate = await this.primaryFor(key);
      if (candidate === from || !(await this.stateOk())) return false;
      const [role] = (await candidate.command('ROLE')) as string[];
      promoted = role === 'master' ? candidate : undefined;
      return !!promoted;
    }, timeoutMs);
    return promoted!;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  private async stateOk(): Promise<boolean> {
    const live = this.nodes.filter((node) => node.alive);
    const states = await Promise.all(live.map((node) => node.command('CLUSTER', 'INFO')));
    return states.every((text) => String(text).includes('cluster_state:ok'));
  }

  /** Every node agrees the cluster is ok and knows all six nodes; every replica is in sync. */
  private async waitUntilHealthy(timeoutMs: number): Promise<void> {
    await waitFor(async () => {
      const infos = await Promise.all(this.nodes.map((node) => node.command('CLUSTER', 'INFO').then(String)));
      if (!infos.every((text) => text.includes('cluster_state:ok') && text.includes('cluster_known_nodes:6'))) return false;
      const replication = await Promise.all(this.nodes.map((node) => node.info('replication')));
      return (
        replication.filter((info) => info.role === 'slave').every((info) => info.master_link_status === 'up') &&
        replication.filter((info) => info.role === 'slave').length === 3
      );
    }, timeoutMs);
  }
}
