import { describeFigures, probeDuring } from '../../../test/support/redis-failover-probe';
import { RedisClusterTopology } from '../../../test/support/redis-cluster';
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
});
