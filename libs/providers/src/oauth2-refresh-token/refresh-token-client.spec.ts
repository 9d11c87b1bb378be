import { UpstreamError } from '@app/errors';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { OAuth2EndpointSettings } from '../oauth2/oauth2-settings';
import { OAuth2TokenEndpoint } from '../oauth2/oauth2-token-endpoint';
import { PassolutionSimulator } from '../presets/testing/passolution.simulator';
import { OAuth2RefreshTokenSimulator, RefreshTokenSimulatorOptions } from './testing/oauth2-refresh-token.simulator';
import { RefreshTokenClient } from './refresh-token-client';

const CLIENT = { clientId: 'acme-client', clientSecret: 'acme s3cr3t:/' };
const http = new UpstreamHttpClient({ upstreamTimeoutMs: 2_000 });

/** The refresh-token grant against strict servers that accept each refresh token once. */
describe('RefreshTokenClient', () => {
  let simulator: OAuth2RefreshTokenSimulator;
  let client: RefreshTokenClient;
  let credentials: Record<string, string>;

  async function start(options: RefreshTokenSimulatorOptions = {}, over: Partial<OAuth2EndpointSettings> = {}): Promise<void> {
    simulator = new OAuth2RefreshTokenSimulator(CLIENT, { tokenLifetimeSeconds: 600, ...options });
    await simulator.start();
    const { bodyFormat = 'form', clientAuth = 'body' } = options;
    const settings = { tokenUrl: `${simulator.url}/oauth/token`, bodyFormat, clientAuth, headers: {}, defaultLifetime: 90, ...over };
    client = new RefreshTokenClient(new OAuth2TokenEndpoint(http, 'acme', settings));
    credentials = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: simulator.currentRefreshToken };
  }
  /** One refresh, keeping what rotated, as the refresh protocol does. */
  async function refresh(): Promise<Awaited<ReturnType<RefreshTokenClient['requestToken']>>> {
    const issued = await client.requestToken({ credentials });
    credentials = { ...credentials, ...issued.rotatedCredentials };
    return issued;
  }
  const failure = async (): Promise<UpstreamError> => (await refresh().catch((error: unknown) => error)) as UpstreamError;

  afterEach(() => simulator.stop());

  it.each([
    ['basic', 'form'],
    ['basic', 'json'],
    ['body', 'form'],
    ['body', 'json'],
  ] as const)('rotates the refresh token on every refresh with %s client auth and a %s body', async (clientAuth, bodyFormat) => {
    await start({ clientAuth, bodyFormat });
    for (let i = 0; i < 4; i += 1) {
      const issued = await refresh();
      expect(simulator.tokens.isValid(issued.accessToken)).toBe(true);
      expect(issued.rotatedCredentials).toEqual({ refresh_token: simulator.currentRefreshToken });
    }
    expect(simulator.report()).toMatchObject({ refreshes: 4, reuses: 0 });
  });

  it('asks for no scope when refreshing: the grant keeps what the person granted (RFC 6749 §6)', async () => {
    await start({}, { scope: 'offline_access api' });
    await refresh();
    expect(simulator.calls.at(-1)!.body).not.toContain('scope');
  });

  it('keeps the current refresh token when the answer carries none, and the next refresh presents it again', async () => {
    await start({ answer: { refreshToken: 'keep' } });
    const kept = credentials.refresh_token;
    expect((await refresh()).rotatedCredentials).toBeUndefined();
    expect((await refresh()).rotatedCredentials).toBeUndefined();
    expect(credentials.refresh_token).toBe(kept);
    expect(simulator.report()).toMatchObject({ refreshes: 2, reuses: 0 });
  });

  it('rotates nothing when the answer repeats the refresh token it was sent', async () => {
    await start({ answer: { refreshToken: 'echo' } });
    expect((await refresh()).rotatedCredentials).toBeUndefined();
    expect((await refresh()).rotatedCredentials).toBeUndefined();
    expect(simulator.report()).toMatchObject({ refreshes: 2, reuses: 0 });
  });

  it('reads expires_in sent as a string', async () => {
    await start({ answer: { expiresIn: 'string' } });
    const issued = await refresh();
    expect(Math.abs(issued.expiresAt - simulator.tokens.expiryOf(issued.accessToken)!)).toBeLessThan(1000);
  });

  it('takes the lifetime from the JWT access token when expires_in is absent', async () => {
    await start({ answer: { expiresIn: 'absent', accessToken: 'jwt' } });
    const issued = await refresh();
    expect(Math.abs(issued.expiresAt - simulator.tokens.expiryOf(issued.accessToken)!)).toBeLessThan(1000);
  });

  it('assumes defaultLifetime for an opaque token when expires_in is absent', async () => {
    await start({ answer: { expiresIn: 'absent' } });
    const before = Date.now();
    const issued = await refresh();
    expect(issued.expiresAt).toBeGreaterThanOrEqual(before + 90_000);
    expect(issued.expiresAt).toBeLessThanOrEqual(Date.now() + 90_000);
  });

  it('answers a spent refresh token with a permanent invalid_grant: a person must authorize again', async () => {
    await start();
    const spent = credentials.refresh_token;
    await refresh();
    credentials = { ...credentials, refresh_token: spent };
    expect(await failure()).toMatchObject({ kind: 'permanent', reason: 'invalid_grant' });
    expect(simulator.report()).toMatchObject({ reuses: 1 });
  });

  it('answers a wrong client secret with a permanent invalid_client that names what to check', async () => {
    await start({ clientAuth: 'basic' }, { clientAuth: 'basic' });
    credentials = { ...credentials, client_secret: 'wrong' };
    const error = await failure();
    expect(error).toMatchObject({ kind: 'permanent', reason: 'invalid_client' });
    expect(error.message).toContain('client_secret');
    expect(simulator.report().refreshes).toBe(0);
  });

  it.each([
    [{ mode: 'html' }, 'http_502', undefined],
    [{ mode: 'html', status: 200 }, 'malformed_response', undefined],
    [{ mode: 'status', status: 429, retryAfterSeconds: 42 }, 'http_429', 42_000],
    [{ mode: 'status', status: 400, body: { error: 'temporarily_unavailable' }, retryAfterSeconds: 5 }, 'temporarily_unavailable', 5000],
  ] as const)('reports %j as transient %s without spending the token', async (fault, reason, retryAfterMs) => {
    await start();
    simulator.fault = fault;
    const error = await failure();
    expect(error).toMatchObject({ kind: 'transient', reason });
    expect(error.details.retryAfterMs).toBe(retryAfterMs);
    simulator.fault = { mode: 'none' };
    await refresh();
    expect(credentials.refresh_token).toBe(simulator.currentRefreshToken);
    expect(simulator.report()).toMatchObject({ refreshes: 1, reuses: 0 });
  });

  it("speaks Passolution's contract with the passolution preset's settings (JSON, secret in the body, no token_type)", async () => {
    simulator = new PassolutionSimulator(CLIENT);
    await simulator.start();
    const endpoint = new OAuth2TokenEndpoint(http, 'pa', {
      tokenUrl: `${simulator.url}/oauth/token`,
      bodyFormat: 'json',
      clientAuth: 'body',
      defaultLifetime: 31_536_000,
      headers: {},
    });
    client = new RefreshTokenClient(endpoint);
    credentials = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: simulator.currentRefreshToken };
    const issued = await refresh();
    expect(issued).toMatchObject({ tokenType: 'Bearer', rotatedCredentials: { refresh_token: simulator.currentRefreshToken } });
    expect(issued.expiresAt - Date.now()).toBeGreaterThan(31_535_000_000);
  });
});
