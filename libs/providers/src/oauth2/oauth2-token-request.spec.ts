import { UpstreamError } from '@app/errors';
import type { BrokerConfig } from '@app/config';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { OAuth2ClientCredentialsSimulator } from '../oauth2-client-credentials/testing/oauth2-client-credentials.simulator';
import { requestOAuth2Token, OAuth2TokenCall } from './oauth2-token-request';

const CLIENT = { clientId: 'id with:colon', clientSecret: 's3cr3t/&=' };
const http = new UpstreamHttpClient({ upstreamTimeoutMs: 2_000 } as BrokerConfig);

describe('requestOAuth2Token', () => {
  const simulator = new OAuth2ClientCredentialsSimulator(CLIENT, { clientAuth: 'basic', bodyFormat: 'form', tokenLifetimeSeconds: 120 });
  let call: OAuth2TokenCall;

  beforeAll(async () => {
    await simulator.start();
  });
  afterAll(() => simulator.stop());
  beforeEach(() => {
    simulator.fault = { mode: 'none' };
    call = {
      provider: 'p',
      url: `${simulator.url}/oauth/token`,
      params: { grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
      bodyFormat: 'form',
      clientAuth: 'basic',
      defaultExpiresInSeconds: 3600,
    };
  });

  it('authenticates with an RFC 6749 2.3.1 Basic header (form-encoded id and secret) and maps the answer', async () => {
    const before = Date.now();
    const grant = await requestOAuth2Token(http, call);
    expect(simulator.tokens.isValid(grant.accessToken)).toBe(true);
    expect(grant.tokenType).toBe('Bearer'); // the simulator answers lowercase "bearer"
    expect(grant.expiresAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(simulator.calls.at(-1)!.body).not.toContain('client_secret');
  });

  it('classifies invalid_client as permanent and never quotes the body', async () => {
    const error = await requestOAuth2Token(http, { ...call, params: { ...call.params, client_secret: 'wrong' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: 'permanent', reason: 'invalid_client', details: { status: 401 } });
  });

  it('classifies 503 as transient and keeps the Retry-After hint', async () => {
    simulator.fault = { mode: 'status', status: 503, retryAfterSeconds: 7 };
    await expect(requestOAuth2Token(http, call)).rejects.toMatchObject({ kind: 'transient', details: { status: 503, retryAfterMs: 7000 } });
  });

  it('classifies temporarily_unavailable as transient whatever the status', async () => {
    simulator.fault = { mode: 'status', status: 400, body: { error: 'temporarily_unavailable' } };
    await expect(requestOAuth2Token(http, call)).rejects.toMatchObject({ kind: 'transient', reason: 'temporarily_unavailable' });
  });

  it.each([
    ['html', 'http_502'],
    ['empty', 'malformed_response'],
    ['no-token', 'malformed_response'],
    ['huge', 'malformed_response'],
  ] as const)('classifies an upstream answering %s as transient %s', async (mode, reason) => {
    simulator.fault = { mode };
    const error = (await requestOAuth2Token(http, call).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toMatchObject({ kind: 'transient', reason });
    expect(error.message).not.toMatch(/<html|xxxxxxxx/);
  });

  it('classifies an unreachable upstream as a transient network error', async () => {
    await expect(requestOAuth2Token(http, { ...call, url: 'http://127.0.0.1:1/oauth/token' })).rejects.toMatchObject({
      kind: 'transient',
      reason: 'network_error',
    });
  });
});
