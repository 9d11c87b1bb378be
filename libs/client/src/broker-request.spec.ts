import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_SECRETS } from '../../../test/support/test-secrets';
import { FakeBroker } from './testing/fake-broker';
import { TokenBrokerClient, type TokenBrokerClientOptions } from './token-broker-client';
import { TokenBrokerError } from './token-broker.error';

const CALLER_KEY = TEST_SECRETS.callerKey;

describe('TokenBrokerClient: retries and errors', () => {
  let broker: FakeBroker;

  beforeEach(async () => {
    broker = await new FakeBroker(CALLER_KEY).start();
  });

  afterEach(() => broker.stop());

  const client = (options: Partial<TokenBrokerClientOptions> = {}) =>
    new TokenBrokerClient({ url: broker.url, callerKey: CALLER_KEY, ...options });
  const gapsMs = () => broker.requests.slice(1).map((request, i) => request.at - broker.requests[i].at);

  async function failure(promise: Promise<unknown>): Promise<TokenBrokerError> {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TokenBrokerError);
    return error as TokenBrokerError;
  }

  it.each([
    [503, 'upstream_unavailable'],
    [429, 'rate_limited'],
  ])('waits out Retry-After on %i %s, then gets the token', async (status, code) => {
    broker.script.push({ status, body: { error: code, message: 'later' }, headers: { 'retry-after': '1' } });
    const token = await client().token('crm');
    expect(token.provider).toBe('crm');
    expect(broker.requests).toHaveLength(2);
    expect(gapsMs()[0]).toBeGreaterThanOrEqual(990);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString(); // whole seconds: waits 1 to 2 s
    broker.script.push({ status: 503, body: { error: 'lock_unavailable', message: 'busy' }, headers: { 'retry-after': inTwoSeconds } });
    await client().token('crm');
    expect(gapsMs()[0]).toBeGreaterThanOrEqual(990);
  });

  it('waits a second when a retryable answer names no Retry-After, such as a proxy page', async () => {
    broker.script.push({ status: 502, raw: '<html><body>Bad Gateway</body></html>' });
    await client().token('crm');
    expect(gapsMs()[0]).toBeGreaterThanOrEqual(990);
  });

  it('gives up after maxAttempts with the broker status, code, Retry-After and provider', async () => {
    const unavailable = {
      status: 503,
      body: { error: 'upstream_unavailable', message: 'Upstream for "crm" is unavailable' },
      headers: { 'retry-after': '0' },
    };
    broker.script.push(unavailable, unavailable, unavailable, unavailable);
    const error = await failure(client({ maxAttempts: 3 }).token('crm'));
    expect(error).toMatchObject({ name: 'TokenBrokerError', provider: 'crm', status: 503, code: 'upstream_unavailable' });
    expect(error).toMatchObject({ retryAfterSeconds: 0, attempts: 3 });
    expect(error.message).toBe(
      'Token broker gave no token for "crm" (503 upstream_unavailable, 3 attempts): Upstream for "crm" is unavailable',
    );
    expect(broker.requests).toHaveLength(3);
  });

  it('fails at once when Retry-After is longer than the wait budget left', async () => {
    broker.script.push({ status: 503, body: { error: 'upstream_unavailable', message: 'backing off' }, headers: { 'retry-after': '30' } });
    const started = Date.now();
    const error = await failure(client({ maxRetryWaitMs: 10_000 }).token('crm'));
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 30, attempts: 1 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops when the waits would pass maxRetryWaitMs, however many attempts are left', async () => {
    const busy = { status: 429, body: { error: 'rate_limited', message: 'slow down' }, headers: { 'retry-after': '1' } };
    broker.script.push(busy, busy, busy, busy);
    const error = await failure(client({ maxAttempts: 10, maxRetryWaitMs: 1500 }).token('crm'));
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 1, attempts: 2 });
    expect(broker.requests).toHaveLength(2);
  });

  it.each([
    [400, 'invalid_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'unknown_provider'],
    [422, 'min_ttl_unattainable'],
    [500, 'internal_error'],
  ])('throws %i %s at once, Retry-After or not', async (status, code) => {
    broker.script.push({ status, body: { error: code, message: 'no' }, headers: { 'retry-after': '1' } });
    const error = await failure(client().token('crm'));
    expect(error).toMatchObject({ status, code, attempts: 1 });
    expect(broker.requests).toHaveLength(1);
  });

  it('names the real broker answer to a wrong caller key', async () => {
    const error = await failure(new TokenBrokerClient({ url: broker.url, callerKey: TEST_SECRETS.wrongSecret }).token('crm'));
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(TEST_SECRETS.wrongSecret);
  });

  it('retries a broker it cannot reach, then says so without a status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    const unreachable = new TokenBrokerClient({ url: `http://127.0.0.1:${port}`, callerKey: CALLER_KEY, maxAttempts: 2 });
    const error = await failure(unreachable.token('crm'));
    expect(error).toMatchObject({ status: undefined, code: 'network_error', attempts: 2 });
    expect(error.message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('aborts a request that outlasts timeoutMs and does not retry it', async () => {
    broker.delayMs = 2000;
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 200 }).token('crm'));
    expect(error).toMatchObject({ status: undefined, code: 'timeout', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(broker.requests).toHaveLength(1);
  });

  it.each([
    ['an empty object', { status: 200, body: {} }],
    ['a token without expiry', { status: 200, body: { access_token: 'sd-0123456789abcdef01234567', token_type: 'Bearer' } }],
    ['an HTML page', { status: 200, raw: '<html>login</html>' }],
  ])('refuses %s as a token, without quoting it', async (_case, answer) => {
    broker.script.push(answer);
    const error = await failure(client().token('crm'));
    expect(error).toMatchObject({ status: 200, code: 'invalid_response', attempts: 1 });
    expect(error.message).not.toMatch(/sd-0123|login/);
  });

  it('does not follow a redirect, so the caller key goes nowhere else', async () => {
    const elsewhere = await new FakeBroker(CALLER_KEY).start();
    try {
      broker.script.push({ status: 302, headers: { location: `${elsewhere.url}/tokens/crm` } });
      const error = await failure(client().token('crm'));
      expect(error).toMatchObject({ status: 302, code: 'http_302', attempts: 1 });
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.stop();
    }
  });
});
