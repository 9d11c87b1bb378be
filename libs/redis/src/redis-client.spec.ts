import { RedisServer } from '../../../test/support/redis-server';
import { waitFor } from '../../../test/support/wait-for';
import { FAILOVER_WAIT_MS } from './redis-client.factory';
import { openRedisModule, untilReady, type RedisModuleFixture } from './testing/redis-module-fixture';

/** One server (REDIS_URL) that this spec kills and restarts on the same port. */
describe('Redis client on one server: a restart is a delay, an outage fails fast', () => {
  let server: RedisServer;
  let redis: RedisModuleFixture;
  const changes: boolean[] = [];

  beforeAll(async () => {
    server = await new RedisServer().start();
    redis = await openRedisModule({ REDIS_URL: server.url });
    redis.state.onChange((ready) => changes.push(ready));
  });

  afterAll(async () => {
    await redis?.close();
    await server?.stop();
  });

  it('connects from REDIS_URL and reports ready', async () => {
    expect(redis.state.isReady()).toBe(true);
    await expect(redis.client.set('tb:{single}:probe', '1')).resolves.toBe('OK');
  });

  it('holds a command across a restart shorter than the failover wait and answers it after', async () => {
    changes.length = 0;
    await server.kill();
    const started = Date.now();
    const pending = redis.client.set('tb:{single}:held', 'v');
    await sleep(1_000);
    await server.start(server.port);
    await expect(pending).resolves.toBe('OK');
    process.stdout.write(`\nOne server restarted after 1 s: the held command answered after ${Date.now() - started} ms\n`);
    expect(changes).toEqual([false, true]);
  });

  it(`fails queued commands after ${FAILOVER_WAIT_MS} ms away and new ones at once, then reconnects by itself`, async () => {
    changes.length = 0;
    await server.kill();
    await waitFor(() => !redis.state.isReady());
    const queuedAt = Date.now();
    const queued = redis.client.set('tb:{single}:late', 'v');
    await expect(queued).rejects.toThrow(/Redis unreachable/);
    const waited = Date.now() - queuedAt;
    expect(waited).toBeGreaterThanOrEqual(FAILOVER_WAIT_MS - 200);
    expect(waited).toBeLessThan(FAILOVER_WAIT_MS + 2_000);
    expect(redis.state.isReady()).toBe(false);

    const failFastAt = Date.now();
    await expect(redis.client.get('tb:{single}:probe')).rejects.toThrow();
    expect(Date.now() - failFastAt).toBeLessThan(50);

    await server.start(server.port);
    await untilReady(redis.state, 5_000); // reconnect attempts are once a second by now
    // the restarted server is empty: a flushed command sent after the reconnect would show here
    await expect(redis.client.get('tb:{single}:late')).resolves.toBeNull();
    await expect(redis.client.set('tb:{single}:after', '1')).resolves.toBe('OK');
    expect(changes).toEqual([false, true]);
  }, 20_000);

  it('closes its connection on shutdown', async () => {
    const { client } = redis;
    await redis.close();
    await waitFor(() => client.status === 'end', 2_000);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
