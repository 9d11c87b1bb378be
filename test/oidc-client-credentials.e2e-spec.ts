import request from 'supertest';
import { ADMIN_TOKEN, BrokerHarness, getToken, putCredentials, startBroker } from './support/broker-harness';
import { AuthorizationServer, RegisteredClient } from './support/authorization-server';
import { TEST_SECRETS } from './support/test-secrets';

const client = (id: string, auth: RegisteredClient['token_endpoint_auth_method']): RegisteredClient => ({
  client_id: id,
  client_secret: TEST_SECRETS.idpClientSecret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: auth,
  scope: 'api:read',
});
const BASIC = client('cc-basic', 'client_secret_basic');
const POST = client('cc-post', 'client_secret_post');

/** The generic client-credentials type against a real, standards-conformant server (oidc-provider), both client auth styles. */
describe('oauth2-client-credentials against a real authorization server', () => {
  const server = new AuthorizationServer({ clients: [BASIC, POST], accessTokenSeconds: 300 });
  let broker: BrokerHarness;

  beforeAll(async () => {
    await server.start();
    const provider = (id: string, auth: string) =>
      `  ${id}: { type: oauth2-client-credentials, tokenUrl: "${server.url}/token", auth: ${auth}, scope: "api:read" }\n`;
    broker = await startBroker({ providersYaml: `providers:\n${provider('idp-basic', 'basic')}${provider('idp-post', 'body')}` });
  });

  afterAll(async () => {
    await broker?.close();
    await server.stop();
  });

  it.each([
    ['idp-basic', BASIC],
    ['idp-post', POST],
  ])('%s: serves a token the server issued to the client, authenticated the way it is registered', async (provider, registered) => {
    await putCredentials(broker, provider, { client_id: registered.client_id, client_secret: registered.client_secret });
    const answer = await getToken(broker, provider).expect(200);
    expect(answer.body).toMatchObject({ provider, token_type: 'Bearer' });
    expect(answer.body.expires_in).toBeGreaterThan(290);
    expect(await server.isActive(answer.body.access_token, registered)).toBe(true);
    const grants = server.grants('client_credentials').filter((e) => e.client === registered.client_id);
    // the PUT tries the credentials at once, the GET may find that token or fetch one itself
    expect(grants.length).toBeGreaterThanOrEqual(1);
    expect(new Set(grants.map((e) => e.auth))).toEqual(new Set([registered.token_endpoint_auth_method]));
  });

  it('is refused by the server for a wrong secret, and says what to check, without the secret', async () => {
    await putCredentials(broker, 'idp-basic', { client_id: BASIC.client_id, client_secret: TEST_SECRETS.wrongSecret });
    const answer = await request(broker.url).post('/tokens/idp-basic/refresh').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(503);
    expect(answer.body.error).toBe('reauthorization_required');
    expect(answer.body.message).toContain('invalid_client');
    expect(JSON.stringify(answer.body)).not.toContain(TEST_SECRETS.wrongSecret);
  });
});
