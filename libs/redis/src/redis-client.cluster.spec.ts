import { describeFigures, probeDuring } from '../../../test/support/redis-failover-probe';
import { RedisClusterTopology } from '../../../test/support/redis-cluster';
import { waitFor } from '../../../test/support/wait-for';
import { closeRedisClient, createSubscriberConnection } from './redis-client.factory';
import { openRedisModule, type RedisModuleFixture } from './testing/redis-module-fixture';

/** A real Cluster (3 primaries + 3 replicas, 1 s node timeout). */
describe('Redis client on Cluster: a shard failover is a delay, not an error', () => {
  let topology: RedisClusterTopology;
  let redis: RedisModuleFixture;

  beforeAll(async () => {
    topology = await new RedisClusterTopology().start();
    redis = await openRedisModule(topology.env());
  }, 60_000);

  afterAll(async () => {
    await redis?.close();
    await topology?.stop();
  });

  it('finds every shard from the primaries in REDIS_CLUSTER_NODES, with the password', async () => {
    // tags that hash to slots spread over the shards
    const keys = ['tb:{a}:probe', 'tb:{b}:probe', 'tb:{c}:probe', 'tb:{passolution}:probe'];
    await Promise.all(keys.map((key) => redis.client.set(key, key)));
    for (const key of keys) await expect((await topology.primaryFor(key)).command('GET', key)).resolves.toBe(key);
  });

  it('rides through SIGKILL of the primary holding a key: commands wait for its replica and none fails', async () => {
    const key = 'tb:{passolution}:kill';
    await redis.client.set(key, '0');
    const changes: boolean[] = [];
    const stopWatching = redis.state.onChange((ready) => changes.push(ready));
    const killed = await topology.killPrimaryFor(key);
    const killedAt = Date.now();
    const failover = topology.waitForFailover(key, killed).then(() => Date.now() - killedAt);
    const figures = await probeDuring(() => redis.client.incr(key), failover);
    const counted = Number(await (await topology.primaryFor(key)).command('GET', key));
    process.stdout.write(
      describeFigures('Cluster, primary SIGKILLed', await failover, figures) +
        `  acknowledged increments ${figures.sent - figures.failed}, counted by the new primary ${counted}\n`,
    );
    // with ioredis's default maxRedirections (16) about half of these failed with "Too many Cluster redirections"
    expect(figures.failed).toBe(0);
    expect(counted).toBe(figures.sent);
    stopWatching();
    expect(changes).toEqual([]); // one shard failing over never made the client unready
  }, 40_000);
  // last: it kills a node for good
  it('moves a subscriber connection to the next node listed when its node dies, and it hears a PUBLISH again', async () => {
    const subscriber = createSubscriberConnection(redis.client);
    try {
      const heard: string[] = [];
      subscriber.on('message', (_channel: string, message: string) => heard.push(message));
      await waitFor(() => subscriber.status === 'ready');
      await subscriber.subscribe('tb:moves');
      const node = topology.nodes.find((candidate) => candidate.port === subscriber.options.port)!;
      await node.kill();
      await waitFor(() => subscriber.status === 'ready' && subscriber.options.port !== node.port, 10_000);
      await subscriber.subscribe('tb:moves');
      await waitFor(async () => (await redis.client.publish('tb:moves', 'again'), heard.includes('again')), 10_000);
    } finally {
      await closeRedisClient(subscriber);
    }
  }, 40_000);
});
