import { Logger } from '@nestjs/common';
import { UpstreamError } from '@app/errors';
import { IssuedToken } from '../core/provider-type';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { PortfoleonTokenClient } from './portfoleon-token-client';
import { PortfoleonSimulator, PortfoleonSimulatorOptions } from './testing/portfoleon.simulator';

const API_KEY = 'AKPF123,unit-spec-api-key';
const LOGIN = '/api/v1/security/token';
const REFRESH = '/api/v1/security/refresh_token';
const http = new UpstreamHttpClient({ upstreamTimeoutMs: 2_000 });

/** The client's choices between refresh and API-key login, against the strict simulator. */
describe('PortfoleonTokenClient', () => {
  let simulator: PortfoleonSimulator;
  let client: PortfoleonTokenClient;

  async function start(options: PortfoleonSimulatorOptions = {}, apiKey = API_KEY): Promise<void> {
    simulator = new PortfoleonSimulator(API_KEY, { tokenLifetimeSeconds: 600, ...options });
    await simulator.start();
    client = new PortfoleonTokenClient(http, 'pf', {
      tokenUrl: `${simulator.url}${LOGIN}`,
      refreshUrl: `${simulator.url}${REFRESH}`,
      fallbackLifetimeSeconds: 90,
    });
    credentials = { api_key: apiKey };
  }
  let credentials: Record<string, string>;
  const request = (current?: IssuedToken) => client.requestToken({ credentials, current });

  afterEach(() => simulator.stop());

  it('logs in with the API key when it holds no token, and takes the expiry from the header', async () => {
    await start();
    const token = await request();
    expect(simulator.isValid(token.accessToken)).toBe(true);
    expect(token.expiresAt).toBe(simulator.expiryOf(token.accessToken));
    expect(token.tokenType).toBe('Bearer');
    expect(JSON.parse(simulator.callsTo(LOGIN)[0].body)).toEqual({ api_key: API_KEY });
  });

  it('pre-refreshes with force=true and the current b64token, without logging in again', async () => {
    await start();
    const first = await request();
    const second = await request(first);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(simulator.callsTo(REFRESH).map((call) => [call.query.get('force'), call.headers.authorization])).toEqual([
      ['true', `Bearer ${first.accessToken}`],
    ]);
    expect(simulator.callsTo(LOGIN)).toHaveLength(1);
  });

  it('logs in again when the refresh hands back the same token', async () => {
    await start({ ignoreForce: true });
    const first = await request();
    const second = await request(first);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(simulator.callsTo(REFRESH)).toHaveLength(1);
    expect(simulator.callsTo(LOGIN)).toHaveLength(2);
  });

  it.each([
    ['Token expired', {}, (s: PortfoleonSimulator) => s.expireIssuedTokens()],
    ['Authentication expired', { maxChainSeconds: 0 }, () => undefined],
  ])('answers "%s" on refresh with a new API-key login, logged as invalid_grant', async (_message, options, prepare) => {
    await start(options);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    try {
      const first = await request();
      prepare(simulator);
      await new Promise((resolve) => setTimeout(resolve, 5)); // past a zero-second chain
      const second = await request(first);
      expect(simulator.isValid(second.accessToken)).toBe(true);
      expect(simulator.callsTo(REFRESH)).toHaveLength(1);
      expect(simulator.callsTo(LOGIN)).toHaveLength(2);
      expect(log.mock.calls.map(([line]) => String(line))).toContainEqual(expect.stringContaining('(invalid_grant)'));
    } finally {
      log.mockRestore();
    }
  });

  it('needs a person only when the API-key login is refused too, and never names the key', async () => {
    await start({}, 'AKPF123,wrong-key');
    const failure = (await request().catch((error: unknown) => error)) as UpstreamError;
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure.kind).toBe('permanent');
    expect(failure.message).not.toContain('wrong-key');
  });

  it('reports a refresh endpoint answering an HTML error page as transient instead of logging in', async () => {
    await start();
    const first = await request();
    simulator.fault = { mode: 'html' };
    await expect(request(first)).rejects.toMatchObject({ kind: 'transient' });
  });

  it('falls back to the configured lifetime when the header has no exp, and says so once', async () => {
    await start({ omitExp: true });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const before = Date.now();
      const first = await request();
      await request(first);
      expect(first.expiresAt).toBeGreaterThanOrEqual(before + 90_000);
      expect(first.expiresAt).toBeLessThanOrEqual(Date.now() + 90_000);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).not.toContain(first.accessToken);
    } finally {
      warn.mockRestore();
    }
  });
});
