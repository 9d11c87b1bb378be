import { describeFigures, probeDuring } from '../../../test/support/redis-failover-probe';
import { RedisSentinelTopology } from '../../../test/support/redis-sentinel';
import { waitFor } from '../../../test/support/wait-for';
import { openRedisModule, type RedisModuleFixture } from './testing/redis-module-fixture';

/** A real Sentinel topology (1 primary, 1 replica, 3 sentinels, quorum 2, 1 s detection). */
describe('Redis client on Sentinel: a failover is a delay, not an error', () => {
  let topology: RedisSentinelTopology;
  let redis: RedisModuleFixture;

  beforeAll(async () => {
    topology = await new RedisSentinelTopology().start();
    redis = await openRedisModule(topology.env());
  }, 60_000);

  afterAll(async () => {
    await redis?.close();
    await topology?.stop();
  });

  it('connects to the primary the sentinels name, with the sentinel and data-node passwords', async () => {
    await redis.client.set('tb:{sentinel}:probe', 'written');
    const primary = await topology.primary();
    await expect(primary.command('GET', 'tb:{sentinel}:probe')).resolves.toBe('written');
  });

  it('follows a switch whose old primary stays up (SENTINEL FAILOVER) without a failed command', async () => {
    const before = await topology.primary();
    const switched = topology.sentinels[0].command('SENTINEL', 'FAILOVER', topology.name).then(() => topology.waitForFailover(before));
    const figures = await probeDuring(() => redis.client.incr('tb:{sentinel}:switch'), switched);
    const counted = Number(await (await topology.primary()).command('GET', 'tb:{sentinel}:switch'));
    process.stdout.write(
      describeFigures('Sentinel, switch with the old primary up', -1, figures) +
        `  acknowledged increments ${figures.sent}, counted by the new primary ${counted}\n`,
    );
    expect(figures.failed).toBe(0);
    // Replication is asynchronous: what the old primary acknowledged between the replica's promotion
    // and its own demotion is gone when it resyncs from the new one (README "Redis topologies").
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThanOrEqual(figures.sent);
    await topology.waitForReplicas();
    // once the switch is announced, writes land on the new primary
    await redis.client.set('tb:{sentinel}:after-switch', '1');
    await expect((await topology.primary()).command('GET', 'tb:{sentinel}:after-switch')).resolves.toBe('1');
  }, 30_000);

  it('rides through SIGKILL of the primary: commands wait for the new one and none fails', async () => {
    const killed = await topology.killPrimary();
    const killedAt = Date.now();
    const failover = topology.waitForFailover(killed).then(() => Date.now() - killedAt);
    const figures = await probeDuring(() => redis.client.incr('tb:{sentinel}:kill'), failover);
    const counted = Number(await (await topology.primary()).command('GET', 'tb:{sentinel}:kill'));
    process.stdout.write(
      describeFigures('Sentinel, primary SIGKILLed', await failover, figures) +
        `  acknowledged increments ${figures.sent - figures.failed}, counted by the new primary ${counted}\n`,
    );
    expect(figures.failed).toBe(0); // the wait (FAILOVER_WAIT_MS) outlasts the failover
    expect(redis.state.isReady()).toBe(true); // reconnected by itself
    await expect(redis.client.set('tb:{sentinel}:after', '1')).resolves.toBe('OK');
  }, 40_000);

  it("closes on shutdown, including its subscriptions to the sentinels' switch announcements", async () => {
    const subscribers = async () => {
      const lists = await Promise.all(topology.sentinels.map((sentinel) => sentinel.command('CLIENT', 'LIST') as Promise<string>));
      return lists.flatMap((list) => list.split('\n')).filter((line) => / sub=[1-9]/.test(line)).length;
    };
    expect(await subscribers()).toBeGreaterThan(0);
    await redis.close();
    await waitFor(async () => (await subscribers()) === 0, 3_000);
  });
});
