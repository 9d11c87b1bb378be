import { RedisServer } from '../../../test/support/redis-server';
import { waitFor } from '../../../test/support/wait-for';
import { closeRedisClient, createRedisClient, createSubscriberConnection } from './redis-client.factory';

/** Timers that keep the process alive (unref'd ones are not listed). */
const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

/**
 * Closing has to let the process go: a broker shutting down while Redis is away, a test file ending.
 * ioredis starts a timer for the socket's goodbye even when the socket is already gone, and with
 * its default that kept the process alive for 2 s after everything was closed.
 */
it('lets the process go soon after a client and its subscriber are closed while Redis is away', async () => {
  const server = await new RedisServer().start();
  const before = timers();
  const client = createRedisClient({ topology: 'single', url: server.url });
  const subscriber = createSubscriberConnection(client);
  await waitFor(() => client.status === 'ready' && subscriber.status === 'ready');
  await server.kill();
  await waitFor(() => client.status === 'reconnecting' && subscriber.status === 'reconnecting');

  await Promise.all([closeRedisClient(client), closeRedisClient(subscriber)]);
  await expect(waitFor(() => timers() <= before, 1_500)).resolves.toBeUndefined();
});
