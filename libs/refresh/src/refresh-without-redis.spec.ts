import { randomBytes } from 'node:crypto';
import { ReauthorizationRequiredError, TokenStoreUnreachableError, UpstreamUnavailableError } from '@app/errors';
import { PassolutionSimulator, SmartDocumentorSimulator } from '@app/providers/testing';
import { RedisServer } from '../../../test/support/redis-server';
import { waitFor } from '../../../test/support/wait-for';
import { fileBackend, startReplica, type RefreshReplica } from './testing/refresh-replica';

const SD = { clientId: 'sd-client', clientSecret: 'sd-secret-value' };
const PA = { clientId: 'pa-client', clientSecret: 'pa-secret-value' };

/** One replica on a redis-server of its own, which each test kills before it refreshes. */
describe('refreshes while Redis is away', () => {
  const redis = new RedisServer();
  const sd = new SmartDocumentorSimulator(SD);
  const pa = new PassolutionSimulator(PA);
  let replica: RefreshReplica;

  beforeAll(() => Promise.all([sd.start(), pa.start()]));
  afterAll(() => Promise.all([sd.stop(), pa.stop(), redis.stop()]));

  beforeEach(async () => {
    await redis.start();
    sd.fault = { mode: 'none' };
    const providersYaml =
      'providers:\n' +
      `  sd: { type: smartdocumentor, baseUrl: "${sd.url}", requestsPerMinute: 3 }\n` +
      `  pa: { type: passolution, baseUrl: "${pa.url}" }\n`;
    replica = await startReplica({
      backend: fileBackend().backend,
      redisUrl: redis.url,
      redisPrefix: `t${randomBytes(4).toString('hex')}:`,
      providersYaml,
    });
    await replica.seed('sd', { client_id: SD.clientId, client_secret: SD.clientSecret });
    await replica.seed('pa', { client_id: PA.clientId, client_secret: PA.clientSecret, refresh_token: pa.currentRefreshToken });
  });

  async function killRedis(): Promise<void> {
    await redis.kill();
    await waitFor(() => replica.tokens.unreachableSince() !== undefined);
  }

  afterEach(async () => {
    await replica.close();
    await redis.kill(); // if a test brought it back
  });

  it('never presents a single-use refresh token without the fence: the rotating provider waits for Redis', async () => {
    const before = pa.report().refreshes;
    const storedRefreshToken = (await replica.credentials.get('pa'))?.values.refresh_token;
    await killRedis();
    await expect(replica.refresh('pa')).rejects.toBeInstanceOf(TokenStoreUnreachableError);
    expect(pa.report().refreshes).toBe(before);
    expect((await replica.credentials.get('pa'))?.values.refresh_token).toBe(storedRefreshToken);
  });

  it('refreshes the rotating provider through the whole protocol once Redis is back within the wait', async () => {
    const before = pa.report().refreshes;
    await killRedis();
    const refreshed = replica.refresh('pa', { lockWaitMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pa.report().refreshes).toBe(before);
    await redis.start();
    await refreshed;
    expect(pa.report()).toMatchObject({ refreshes: before + 1, reuses: 0 });
    expect((await replica.credentials.get('pa'))?.values.refresh_token).toBe(pa.currentRefreshToken);
  });

  it('gets a client-credentials token without the lock and keeps it for the request path', async () => {
    await killRedis();
    const token = await replica.refresh('sd');
    expect(sd.tokens.isValid(token.accessToken)).toBe(true);
    expect(replica.tokens.lastKnown('sd')?.accessToken).toBe(token.accessToken);
  });

  it('backs off on its own after a transient failure, without asking the upstream again', async () => {
    await killRedis();
    sd.fault = { mode: 'status', status: 503 };
    await expect(replica.refresh('sd')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    const received = sd.received;
    sd.fault = { mode: 'none' };
    await expect(replica.refresh('sd')).rejects.toMatchObject({ code: 'upstream_unavailable', retryAfterSeconds: 1 });
    expect(sd.received).toBe(received);
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // the first backoff step
    await expect(replica.refresh('sd')).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('stops asking an upstream that refused the credentials', async () => {
    await replica.seed('sd', { client_id: SD.clientId, client_secret: 'not-the-secret' });
    await killRedis();
    await expect(replica.refresh('sd')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    const received = sd.received;
    await expect(replica.refresh('sd')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(sd.received).toBe(received);
  });

  it('retries a refusal with the credentials another replica stored meanwhile, whose notice went with Redis', async () => {
    await replica.seed('sd', { client_id: SD.clientId, client_secret: 'not-the-secret' });
    await expect(replica.refresh('sd')).rejects.toBeInstanceOf(ReauthorizationRequiredError); // this replica now caches the wrong secret
    await killRedis();
    await replica.credentials.put('sd', { client_id: SD.clientId, client_secret: SD.clientSecret }); // the other replica's admin write
    const token = await replica.refresh('sd');
    expect(sd.tokens.isValid(token.accessToken)).toBe(true);
  });

  it("keeps to the provider's requestsPerMinute on its own", async () => {
    const leftInMinute = 60_000 - (Date.now() % 60_000);
    if (leftInMinute < 3_000) await new Promise((resolve) => setTimeout(resolve, leftInMinute + 10)); // one window for the whole test
    await killRedis();
    const received = sd.received;
    for (let i = 0; i < 3; i += 1) await replica.refresh('sd');
    await expect(replica.refresh('sd')).rejects.toMatchObject({
      code: 'upstream_unavailable',
      message: expect.stringContaining('over 3 token requests per minute'),
    });
    expect(sd.received - received).toBe(3);
  });
});
