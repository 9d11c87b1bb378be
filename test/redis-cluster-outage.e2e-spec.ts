import { RedisClusterTopology } from './support/redis-cluster';
import { openRedisReplica, type RedisReplica } from './support/redis-replica';
import { waitFor } from './support/wait-for';

/**
 * A real Cluster (3 primaries + 3 replicas) that goes away entirely: a replica's Redis-backed
 * pieces (token store with its near-cache, lock, rate-limit counter), as the app wires them, must
 * wait for it at the client's pace. ioredis's own Cluster subscriber picked another node the
 * moment its connection ended: with every node down, a loop without pause that kept a core busy
 * and grew the heap by tens of MB a second.
 */
describe('Redis Cluster wholly unreachable', () => {
  let topology: RedisClusterTopology;
  let replica: RedisReplica;

  beforeAll(async () => {
    topology = await new RedisClusterTopology().start();
    replica = await openRedisReplica(topology.env());
  }, 60_000);

  afterAll(async () => {
    await replica?.close();
    await topology?.stop();
  });

  it('costs next to no CPU while every node is down', async () => {
    await waitFor(() =>
      replica.tokens.ping().then(
        () => true,
        () => false,
      ),
    );
    await Promise.all(topology.nodes.map((node) => node.kill()));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the connections notice
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { user, system } = process.cpuUsage(before);
    // the subscriber's reconnect loop took 3.3 s of CPU in these 3 s
    expect((user + system) / 1000).toBeLessThan(500);
  }, 30_000);
});
