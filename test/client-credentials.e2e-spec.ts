import request from 'supertest';
import { SmartDocumentorSimulator, PassportFintechSimulator, OAuth2ClientCredentialsSimulator } from '@app/providers/testing';
import { ADMIN_TOKEN, BrokerHarness, CALLER_KEY, getToken, putCredentials, startBroker } from './support/broker-harness';
import { waitFor } from './support/wait-for';
import { TEST_SECRETS } from './support/test-secrets';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
const CREDS = { client_id: DEMO.clientId, client_secret: DEMO.clientSecret };

/** Embedded mode (no Redis): the whole token path for the client-credentials types. */
describe('client-credentials providers (embedded mode)', () => {
  const smart = new SmartDocumentorSimulator(DEMO);
  const passport = new PassportFintechSimulator(DEMO);
  const generic = new OAuth2ClientCredentialsSimulator(DEMO, { bodyFormat: 'json', clientAuth: 'basic', scope: 'read' });
  let broker: BrokerHarness;

  beforeAll(async () => {
    await Promise.all([smart.start(), passport.start(), generic.start()]);
    broker = await startBroker({
      providersYaml: `
providers:
  smartdocumentor: { type: smartdocumentor, baseUrl: "${smart.url}" }
  passport: { type: passport-fintech, baseUrl: "${passport.url}" }
  crm: { type: oauth2-client-credentials, tokenUrl: "${generic.url}/oauth/token", scope: read, bodyFormat: json, auth: basic }
  nocreds: { type: smartdocumentor, baseUrl: "${smart.url}" }
`,
    });
    await putCredentials(broker, 'smartdocumentor', CREDS);
    await putCredentials(broker, 'passport', CREDS);
    await putCredentials(broker, 'crm', CREDS);
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all([smart.stop(), passport.stop(), generic.stop()]);
  });

  it.each([
    ['smartdocumentor', smart, 3600],
    ['passport', passport, 86_400],
    ['crm', generic, 3600],
  ] as const)(
    'serves a %s token with the documented lifetime, then from the store without calling upstream',
    async (provider, simulator, lifetime) => {
      const first = await getToken(broker, provider).expect(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(Object.keys(first.body).sort()).toEqual(['access_token', 'expires_at', 'expires_in', 'provider', 'token_type']);
      expect(first.body).toMatchObject({ provider, token_type: 'Bearer' });
      expect(simulator.tokens.isValid(first.body.access_token)).toBe(true);
      expect(first.body.expires_in).toBeGreaterThan(lifetime - 5);
      expect(first.body.expires_in).toBeLessThanOrEqual(lifetime);
      expect(Math.abs(Date.parse(first.body.expires_at) - simulator.tokens.expiryOf(first.body.access_token)!)).toBeLessThan(1000);
      const calls = simulator.calls.length;

      const second = await getToken(broker, provider).expect(200);
      expect(second.body.access_token).toBe(first.body.access_token);
      expect(simulator.calls.length).toBe(calls);
    },
  );

  it('answers 404 unknown_provider for a provider that is not configured', async () => {
    const res = await getToken(broker, 'nosuch').expect(404);
    expect(res.body).toEqual({ error: 'unknown_provider', message: expect.stringContaining('nosuch') });
  });

  it('answers 503 credentials_missing when no credentials are stored', async () => {
    const res = await getToken(broker, 'nocreds').expect(503);
    expect(res.body.error).toBe('credentials_missing');
  });

  it.each([
    ['a malformed provider id', '/tokens/Bad..Id', 'invalid_request'],
    ['an encoded slash', '/tokens/a%2F..%2Fadmin', 'invalid_request'],
    ['a 1 KB id', `/tokens/${'a'.repeat(1024)}`, 'invalid_request'],
    ['a negative minTtl', '/tokens/smartdocumentor?minTtl=-1', 'invalid_request'],
    ['a text minTtl', '/tokens/smartdocumentor?minTtl=soon', 'invalid_request'],
    ['a huge minTtl', '/tokens/smartdocumentor?minTtl=99999999999', 'invalid_request'],
    ['a repeated minTtl', '/tokens/smartdocumentor?minTtl=1&minTtl=2', 'invalid_request'],
  ])('answers 400 for %s', async (_case, path, code) => {
    const res = await request(broker.url).get(path).set('authorization', `Bearer ${CALLER_KEY}`).expect(400);
    expect(res.body.error).toBe(code);
  });

  it('answers 422 when minTtl exceeds what the provider ever issues, without refreshing', async () => {
    await getToken(broker, 'smartdocumentor').expect(200);
    const calls = smart.calls.length;
    const res = await getToken(broker, 'smartdocumentor', '?minTtl=7200').expect(422);
    expect(res.body).toEqual({ error: 'min_ttl_unattainable', message: expect.stringContaining('7200') });
    expect(smart.calls.length).toBe(calls);
  });

  it('makes one upstream call per need when minTtl equals the lifetime, then answers 422 (no second call)', async () => {
    const beforePut = passport.calls.length;
    await putCredentials(broker, 'passport', CREDS); // a cold token
    // the PUT's own refresh, over before counting: a slow machine once counted it as a second call
    await waitFor(() => passport.calls.length > beforePut, 5_000);
    await request(broker.url).post('/tokens/passport/refresh').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    const calls = passport.calls.length;
    for (let i = 0; i < 10; i += 1) {
      const res = await getToken(broker, 'passport', '?minTtl=86400').expect(422);
      expect(res.body.error).toBe('min_ttl_unattainable');
    }
    expect(passport.calls.length - calls).toBeLessThanOrEqual(1);
  });

  it('admin PUT validates per type, answers 204 and never echoes a secret', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const put = await request(broker.url).put('/admin/credentials/crm').set(auth).send(CREDS).expect(204);
    expect(put.text).toBe('');
    const unknown = await request(broker.url)
      .put('/admin/credentials/crm')
      .set(auth)
      .send({ ...CREDS, extra: 'x' })
      .expect(400);
    expect(unknown.body.error).toBe('invalid_credentials');
    const missing = await request(broker.url).put('/admin/credentials/crm').set(auth).send({ client_id: 'only-id' }).expect(400);
    expect(missing.body.message).toContain('client_secret');
    const wrong = await request(broker.url).put('/admin/credentials/crm').set({ authorization: 'Bearer nope' }).send(CREDS).expect(401);
    expect(wrong.body.error).toBe('unauthorized');
    const described = await request(broker.url).get('/admin/credentials/crm').set(auth).expect(200);
    expect(described.body).toMatchObject({ provider: 'crm', fields: ['client_id', 'client_secret'] });
    expect(JSON.stringify([put.text, unknown.body, missing.body, described.body])).not.toContain(DEMO.clientSecret);
  });
});
