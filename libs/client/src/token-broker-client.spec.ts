import { inspect } from 'node:util';
import { TEST_SECRETS } from '../../../test/support/test-secrets';
import { FakeBroker } from './testing/fake-broker';
import { TokenBrokerClient } from './token-broker-client';
import { TokenBrokerError } from './token-broker.error';

const CALLER_KEY = TEST_SECRETS.callerKey;

describe('TokenBrokerClient: caching and collapsing', () => {
  let broker: FakeBroker;

  beforeEach(async () => {
    broker = await new FakeBroker(CALLER_KEY).start();
  });

  afterEach(() => broker.stop());

  const client = (url = broker.url) => new TokenBrokerClient({ url, callerKey: CALLER_KEY });

  it('answers the broker token with its expiry on this clock, then serves it from the cache', async () => {
    const tokens = client();
    const before = Date.now();
    const first = await tokens.token('passolution');
    expect(first).toEqual({
      provider: 'passolution',
      accessToken: expect.stringMatching(/^sd-/),
      tokenType: 'Bearer',
      expiresAt: expect.any(Date),
    });
    expect(first.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(first.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    for (let i = 0; i < 20; i += 1) expect(await tokens.token('passolution')).toEqual(first);
    expect(broker.requests).toHaveLength(1);
    expect(broker.requests[0]).toMatchObject({ path: '/tokens/passolution', minTtl: null });
  });

  it('keeps a path prefix of the broker URL', async () => {
    await client(`${broker.url}/broker`).token('crm');
    expect(broker.requests.map((request) => request.path)).toEqual(['/broker/tokens/crm']);
  });

  it('keeps one token per provider', async () => {
    const tokens = client();
    const a = await tokens.token('a');
    const b = await tokens.token('b');
    expect(a.accessToken).not.toBe(b.accessToken);
    expect((await tokens.token('a')).accessToken).toBe(a.accessToken);
    expect(broker.requests.map((request) => request.path)).toEqual(['/tokens/a', '/tokens/b']);
  });

  it('asks again when a tenth of the lifetime is left, not before and not after expiry', async () => {
    broker.tokenLifetimeSeconds = 4;
    const tokens = client();
    const first = await tokens.token('crm');
    while (broker.requests.length < 2) {
      await tokens.token('crm');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const askedAgainBeforeExpiry = first.expiresAt.getTime() - broker.requests[1].at;
    expect(askedAgainBeforeExpiry).toBeGreaterThan(0);
    expect(askedAgainBeforeExpiry).toBeLessThanOrEqual(400);
    expect((await tokens.token('crm')).accessToken).not.toBe(first.accessToken);
  });

  it('honours minTtl against the cached token and passes it on only when the cache cannot serve it', async () => {
    broker.tokenLifetimeSeconds = 60;
    const tokens = client();
    const short = await tokens.token('crm');
    expect((await tokens.token('crm', { minTtl: 30 })).accessToken).toBe(short.accessToken);
    broker.tokenLifetimeSeconds = 3600;
    const long = await tokens.token('crm', { minTtl: 120 });
    expect(long.accessToken).not.toBe(short.accessToken);
    expect((await tokens.token('crm')).accessToken).toBe(long.accessToken);
    expect(broker.requests.map((request) => request.minTtl)).toEqual([null, '120']);
  });

  it('hands each caller its own copy of the expiry', async () => {
    const tokens = client();
    (await tokens.token('crm')).expiresAt.setTime(0);
    expect((await tokens.token('crm')).expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('collapses concurrent calls for one provider into one request', async () => {
    broker.delayMs = 200;
    const tokens = client();
    const answers = await Promise.all([...Array(50)].map(() => tokens.token('crm')));
    expect(new Set(answers.map((answer) => answer.accessToken)).size).toBe(1);
    expect(broker.requests).toHaveLength(1);
  });

  it('lets a pending request with a longer minTtl serve shorter needs, not the other way round', async () => {
    broker.delayMs = 200;
    const tokens = client();
    const longest = tokens.token('crm', { minTtl: 120 }); // started first
    const shorter = [...Array(10)].map(() => tokens.token('crm', { minTtl: 60 }));
    await Promise.all([longest, ...shorter, tokens.token('crm')]);
    expect(broker.requests.map((request) => request.minTtl)).toEqual(['120']);

    const other = client();
    await Promise.all([other.token('pp'), other.token('pp', { minTtl: 120 }), other.token('pp', { minTtl: 100 })]);
    expect(broker.requests.slice(1).map((request) => request.minTtl)).toEqual([null, '120']);
  });

  it('keeps requests for different providers apart', async () => {
    broker.delayMs = 100;
    const tokens = client();
    const [a, b] = await Promise.all([tokens.token('a'), tokens.token('b'), tokens.token('a'), tokens.token('b')]);
    expect(a.provider).toBe('a');
    expect(b.provider).toBe('b');
    expect(broker.requests).toHaveLength(2);
  });

  it('fails every caller of a refused request alike, caches no failure, and asks again on the next call', async () => {
    broker.delayMs = 100;
    broker.script.push({ status: 403, body: { error: 'forbidden', message: 'Caller "x" may not fetch "crm"' } });
    const tokens = client();
    const outcomes = await Promise.allSettled([...Array(5)].map(() => tokens.token('crm')));
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason instanceof TokenBrokerError)).toBe(true);
    expect(broker.requests).toHaveLength(1);
    await expect(tokens.token('crm')).resolves.toMatchObject({ provider: 'crm' });
    expect(broker.requests).toHaveLength(2);
  });

  it('refuses a provider id that is not one and a minTtl that is not whole seconds, without a request', async () => {
    const tokens = client();
    for (const provider of ['', '..', 'a/b', 'Crm', '../admin/credentials']) {
      await expect(tokens.token(provider)).rejects.toThrow(RangeError);
    }
    for (const minTtl of [-1, 1.5, Number.NaN]) await expect(tokens.token('crm', { minTtl })).rejects.toThrow(RangeError);
    expect(broker.requests).toHaveLength(0);
  });

  it('refuses options it cannot use, without naming the caller key', () => {
    expect(() => new TokenBrokerClient({ url: 'token-broker:3000/x', callerKey: CALLER_KEY })).toThrow(TypeError);
    expect(() => new TokenBrokerClient({ url: 'ftp://token-broker', callerKey: CALLER_KEY })).toThrow(TypeError);
    expect(() => new TokenBrokerClient({ url: broker.url, callerKey: ' ' })).toThrow(TypeError);
    expect(() => new TokenBrokerClient({ url: broker.url, callerKey: CALLER_KEY, maxAttempts: 0 })).toThrow(RangeError);
    expect(() => new TokenBrokerClient({ url: broker.url, callerKey: CALLER_KEY, timeoutMs: 1.5 })).toThrow(RangeError);
  });

  it('shows neither the caller key nor a cached token when inspected or serialized', async () => {
    const tokens = client();
    const { accessToken } = await tokens.token('crm');
    for (const text of [inspect(tokens, { depth: 10, showHidden: true }), JSON.stringify(tokens), `${tokens as unknown as string}`]) {
      expect(text).not.toContain(CALLER_KEY);
      expect(text).not.toContain(accessToken);
    }
  });
});
