import { Logger } from '@nestjs/common';
import { UpstreamError } from '@app/errors';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import {
  ClientCredentialsSimulatorOptions,
  OAuth2ClientCredentialsSimulator,
} from '../oauth2-client-credentials/testing/oauth2-client-credentials.simulator';
import { OAuth2EndpointSettings } from './oauth2-settings';
import { OAuth2TokenEndpoint } from './oauth2-token-endpoint';

const CLIENT = { clientId: 'id with:colon', clientSecret: 's3cr3t/&=' };
const CREDENTIALS = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
const GRANT = { grant_type: 'client_credentials' };
const http = new UpstreamHttpClient({ upstreamTimeoutMs: 2_000 });

/** The request both OAuth2 grant types send, against a strict server that accepts one client authentication only. */
describe('OAuth2TokenEndpoint', () => {
  const settings = (simulator: { url: string }, over: Partial<OAuth2EndpointSettings> = {}): OAuth2EndpointSettings => ({
    tokenUrl: `${simulator.url}/oauth/token`,
    bodyFormat: 'form',
    clientAuth: 'body',
    defaultLifetime: 3600,
    headers: {},
    ...over,
  });
  const simulators: OAuth2ClientCredentialsSimulator[] = [];
  async function start(options: ClientCredentialsSimulatorOptions): Promise<OAuth2ClientCredentialsSimulator> {
    const simulator = new OAuth2ClientCredentialsSimulator(CLIENT, { tokenLifetimeSeconds: 120, ...options });
    simulators.push(simulator);
    await simulator.start();
    return simulator;
  }
  afterEach(async () => {
    await Promise.all(simulators.splice(0).map((simulator) => simulator.stop()));
  });

  it.each([
    ['basic', 'form'],
    ['basic', 'json'],
    ['body', 'form'],
    ['body', 'json'],
  ] as const)('authenticates with %s in a %s body, sending the secret one way only', async (clientAuth, bodyFormat) => {
    const simulator = await start({ clientAuth, bodyFormat });
    const before = Date.now();
    const grant = await new OAuth2TokenEndpoint(http, 'p', settings(simulator, { clientAuth, bodyFormat })).request(GRANT, CREDENTIALS);
    expect(simulator.tokens.isValid(grant.accessToken)).toBe(true);
    expect(grant.tokenType).toBe('Bearer'); // the simulator answers lowercase "bearer"
    expect(grant.expiresAt).toBeGreaterThanOrEqual(before + 120_000);
    const call = simulator.calls.at(-1)!;
    const secretInBody = call.body.includes('client_secret');
    expect([secretInBody, call.headers.authorization !== undefined]).toEqual(clientAuth === 'basic' ? [false, true] : [true, false]);
  });

  it('is refused by a server that wants the other method (the secret is never sent both ways to be safe)', async () => {
    const simulator = await start({ clientAuth: 'basic' });
    const endpoint = new OAuth2TokenEndpoint(http, 'p', settings(simulator, { clientAuth: 'body' }));
    await expect(endpoint.request(GRANT, CREDENTIALS)).rejects.toMatchObject({ kind: 'permanent', reason: 'invalid_client' });
  });

  it('sends the configured scope and extra headers', async () => {
    const simulator = await start({ scope: 'read write' });
    const endpoint = new OAuth2TokenEndpoint(http, 'p', settings(simulator, { scope: 'read write', headers: { 'accept-language': 'de' } }));
    await endpoint.request(GRANT, CREDENTIALS);
    expect(simulator.calls.at(-1)!.headers['accept-language']).toBe('de');
  });

  it('leaves the scope out of a grant that takes none (the code exchange)', async () => {
    const simulator = await start({});
    const endpoint = new OAuth2TokenEndpoint(http, 'p', settings(simulator, { scope: 'read write' }));
    await endpoint.request(GRANT, CREDENTIALS, { withScope: false });
    expect(simulator.calls.at(-1)!.body).not.toContain('scope');
    await endpoint.request(GRANT, CREDENTIALS);
    expect(simulator.calls.at(-1)!.body).toContain('scope=read+write');
  });

  it('assumes defaultLifetime when the answer has no expires_in, and says so once per provider, not per refresh', async () => {
    const simulator = await start({});
    simulator.fault = { mode: 'status', status: 200, body: { access_token: 'opaque', token_type: 'Bearer' } };
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const one = new OAuth2TokenEndpoint(http, 'one', settings(simulator, { defaultLifetime: 90 }));
      const other = new OAuth2TokenEndpoint(http, 'other', settings(simulator, { defaultLifetime: 90 }));
      const before = Date.now();
      const grant = await one.request(GRANT, CREDENTIALS);
      await one.request(GRANT, CREDENTIALS);
      await other.request(GRANT, CREDENTIALS);
      expect(grant.expiresAt).toBeGreaterThanOrEqual(before + 90_000);
      expect(grant.expiresAt).toBeLessThanOrEqual(Date.now() + 90_000);
      expect(warn.mock.calls.map(([line]) => String(line).split(':')[0])).toEqual(['one', 'other']);
    } finally {
      warn.mockRestore();
    }
  });

  it.each([
    [{ mode: 'status', status: 503, retryAfterSeconds: 7 }, 'http_503', 7000],
    [{ mode: 'status', status: 429, retryAfterSeconds: 30 }, 'http_429', 30_000],
    [{ mode: 'html' }, 'http_502', undefined],
    [{ mode: 'html', status: 200 }, 'malformed_response', undefined],
    [{ mode: 'empty' }, 'malformed_response', undefined],
    [{ mode: 'no-token' }, 'malformed_response', undefined],
    [{ mode: 'huge' }, 'malformed_response', undefined],
  ] as const)('classifies %j as transient %s with its Retry-After', async (fault, reason, retryAfterMs) => {
    const simulator = await start({});
    simulator.fault = fault;
    const endpoint = new OAuth2TokenEndpoint(http, 'p', settings(simulator));
    const error = (await endpoint.request(GRANT, CREDENTIALS).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toMatchObject({ kind: 'transient', reason });
    expect(error.details.retryAfterMs).toBe(retryAfterMs);
    expect(error.message).not.toMatch(/<html|xxxxxxxx/);
  });

  it('classifies an unreachable upstream as a transient network error', async () => {
    const endpoint = new OAuth2TokenEndpoint(http, 'p', settings({ url: 'http://127.0.0.1:1' }));
    await expect(endpoint.request(GRANT, CREDENTIALS)).rejects.toMatchObject({ kind: 'transient', reason: 'network_error' });
  });
});
