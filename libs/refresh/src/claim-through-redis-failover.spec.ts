import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { PassolutionSimulator } from '@app/providers/testing';
import { RedisServer } from '../../../test/support/redis-server';
import { waitFor } from '../../../test/support/wait-for';
import { readClaim } from './refresh-claim';
import { startReplica, type RefreshReplica } from './testing/refresh-replica';

const CLIENT = { clientId: 'pa-client', clientSecret: 'pa-secret-value' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Redis failover holds commands for seconds (Sentinel and Cluster: about 2.5 s here). A holder
 * whose upstream answer arrives then must keep its claim until the answer is parked in the outbox:
 * a claim that lapsed meanwhile let another replica present the token the upstream had just taken
 * (seen in the Sentinel chaos run). Its own Redis, since pausing writes would stall other specs.
 */
describe('A rotating refresh answered while Redis holds writes', () => {
  const redis = new RedisServer();
  const simulator = new PassolutionSimulator(CLIENT, { tokenLifetimeSeconds: 60 });
  let replica: RefreshReplica;
  let admin: Redis;

  beforeAll(async () => {
    await Promise.all([redis.start(), simulator.start()]);
    admin = new Redis(redis.url);
    replica = await startReplica({
      backend: { kind: 'file', dir: mkdtempSync(join(tmpdir(), 'tb-claim-failover-')) },
      redisUrl: redis.url,
      redisPrefix: 'cf:',
      providersYaml: `providers:\n  pa: { type: passolution, baseUrl: "${simulator.url}" }\n`,
      // long enough that a renewal a loaded machine delays by a few hundred ms still lands in time
      env: { LOCK_TTL_MS: '1200' },
    });
    await replica.credentials.put('pa', {
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      refresh_token: simulator.currentRefreshToken,
    });
  });

  afterAll(async () => {
    await replica?.close();
    admin?.disconnect();
    await Promise.all([redis.stop(), simulator.stop()]);
  });

  it('keeps renewing its claim until the answer is in the outbox, then commits it', async () => {
    simulator.delayMs = 200;
    const refreshing = replica.refresh('pa');
    await waitFor(() => simulator.calls.length > 0, 5_000); // the refresh token is at the upstream
    await admin.call('CLIENT', 'PAUSE', '4500', 'WRITE'); // the outbox copy waits, as in a failover
    await sleep(3_800); // the answer came 3.6 s ago: three lease lengths (LOCK_TTL_MS 1200)
    const claim = readClaim((await replica.credentials.get('pa'))!.values);
    expect(claim?.deadline).toBeGreaterThan(Date.now());

    await expect(refreshing).resolves.toEqual(expect.objectContaining({ accessToken: expect.any(String) }));
    expect((await replica.credentials.get('pa'))?.values.refresh_token).toBe(simulator.currentRefreshToken);
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
  });
});
