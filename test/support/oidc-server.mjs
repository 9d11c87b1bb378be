// A real, standards-conformant OAuth 2.0 / OpenID Connect server (panva's oidc-provider, a dev
// dependency) for the e2e tests: run as its own process because the package is ESM-only and jest
// loads CommonJS. Started by test/support/authorization-server.ts, which passes the settings as
// JSON in OIDC_TEST_SETTINGS and reads the events below, one JSON line each, from stdout.
// Nothing secret is printed: no token, no client secret, no code.
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_SETTINGS);
const issuer = `http://127.0.0.1:${settings.port}`;
const say = (event) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...event })}\n`);

const provider = new Provider(issuer, {
  clients: settings.clients,
  scopes: ['openid', 'offline_access', 'api:read'],
  features: {
    clientCredentials: { enabled: true },
    // the server's own login and consent pages: any login and password is accepted
    devInteractions: { enabled: true },
    introspection: { enabled: true },
  },
  // every refresh answers with a new refresh token and consumes the one presented; presenting a
  // consumed one again revokes the whole grant (RFC 9700 §4.14.2)
  rotateRefreshToken: true,
  // a client allowed the refresh_token grant gets a refresh token with every code
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  pkce: { required: () => true },
  ttl: {
    AccessToken: settings.accessTokenSeconds,
    ClientCredentials: settings.accessTokenSeconds,
    AuthorizationCode: 60,
    RefreshToken: 3600,
    Grant: 3600,
    Interaction: 600,
    Session: 3600,
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  renderError: async (ctx, out) => {
    ctx.type = 'text/plain';
    ctx.body = `error: ${out.error}`;
  },
});

// how the client authenticated: the server takes either for a secret-based client, the tests check which was sent
const clientAuth = (ctx) => (/^basic /i.test(ctx.get('authorization')) ? 'client_secret_basic' : 'client_secret_post');
provider.on('grant.success', (ctx) =>
  say({ event: 'grant.success', grant_type: ctx.oidc.params.grant_type, client: ctx.oidc.client?.clientId, auth: clientAuth(ctx) }),
);
provider.on('grant.error', (ctx, error) => say({ event: 'grant.error', grant_type: ctx.oidc.params?.grant_type, error: error.error, reason: error.error_description }));
provider.on('grant.revoked', () => say({ event: 'grant.revoked' }));
provider.on('authorization.error', (_ctx, error) => say({ event: 'authorization.error', error: error.error, reason: error.error_description }));
provider.on('server_error', (_ctx, error) => say({ event: 'server_error', message: error.message }));

const server = provider.listen(settings.port, '127.0.0.1', () => say({ event: 'listening', issuer }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
