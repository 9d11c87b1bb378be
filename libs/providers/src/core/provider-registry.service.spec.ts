import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig } from '@app/config';
import { InvalidCredentialsInputError } from '@app/errors';
import { ProviderRegistry } from './provider-registry.service';
import { UpstreamHttpClient } from './upstream-http-client';

/** PROVIDERS_FILE entries as the registry resolves them: types, presets and their documented defaults. */
describe('ProviderRegistry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-registry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function load(providers: string): ProviderRegistry {
    const file = join(dir, 'providers.yaml');
    writeFileSync(file, `providers:\n${providers}`);
    const config = loadBrokerConfig({ PROVIDERS_FILE: file, CALLERS_FILE: join(dir, 'no-callers.yaml') });
    const registry = new ProviderRegistry({ instances: config.providers }, new UpstreamHttpClient({ upstreamTimeoutMs: 2_000 }));
    registry.onModuleInit();
    return registry;
  }
  const instance = (providers: string, id: string) => {
    const { client: _client, authorization: _authorization, ...rest } = load(providers).get(id);
    return rest;
  };

  it('configures any OAuth2 refresh-token API from five lines of YAML, refreshing through the fenced protocol', () => {
    const acme = instance(
      `  acme:
    type: oauth2-refresh-token
    tokenUrl: https://auth.acme.example/oauth/token
    authorizeUrl: https://auth.acme.example/authorize
    auth: basic
`,
      'acme',
    );
    expect(acme).toEqual({
      id: 'acme',
      type: 'oauth2-refresh-token',
      refreshBefore: { kind: 'percent', value: 20 },
      requestsPerMinute: undefined,
      rotatesCredentials: true,
      options: {
        tokenUrl: 'https://auth.acme.example/oauth/token',
        authorizeUrl: 'https://auth.acme.example/authorize',
        scope: undefined,
        clientAuth: 'basic',
        bodyFormat: 'form',
        defaultLifetime: 3600,
        headers: {},
      },
    });
  });

  it('offers the connect flow for a refresh-token API with an authorizeUrl only', () => {
    const registry =
      load(`  acme: { type: oauth2-refresh-token, tokenUrl: "https://auth.acme.example/token", authorizeUrl: "https://auth.acme.example/authorize" }
  plain: { type: oauth2-refresh-token, tokenUrl: "https://auth.acme.example/token" }
  sd: { type: smartdocumentor }
`);
    const request = { clientId: 'c', redirectUri: 'https://broker.example.com/oauth/callback', state: 's', codeChallenge: 'x' };
    expect(registry.get('acme').authorization?.authorizationUrl(request)).toMatch(
      /^https:\/\/auth\.acme\.example\/authorize\?response_type=code&/,
    );
    expect(registry.get('plain').authorization).toBeUndefined();
    expect(registry.get('sd').authorization).toBeUndefined();
  });

  it("resolves passolution to the refresh-token type with Passolution's documented defaults", () => {
    expect(instance('  pa: { type: passolution }\n', 'pa')).toMatchObject({
      type: 'passolution',
      rotatesCredentials: true,
      requestsPerMinute: 300,
      options: { tokenUrl: 'https://web.passolution.eu/oauth/token', bodyFormat: 'json', clientAuth: 'body', defaultLifetime: 31_536_000 },
    });
    expect(instance('  pa: { type: passolution, baseUrl: "http://127.0.0.1:4106/", requestsPerMinute: 100 }\n', 'pa')).toMatchObject({
      requestsPerMinute: 100,
      options: { tokenUrl: 'http://127.0.0.1:4106/oauth/token' },
    });
  });

  it("resolves smartdocumentor to client credentials with SmartDocumentor's documented defaults", () => {
    expect(instance('  sd: { type: smartdocumentor }\n', 'sd')).toMatchObject({
      rotatesCredentials: false,
      requestsPerMinute: undefined,
      options: {
        tokenUrl: 'https://cloud.smartdocumentor.net/connect/token',
        bodyFormat: 'form',
        clientAuth: 'body',
        scope: 'WebAPI',
        defaultLifetime: 3600,
      },
    });
  });

  it('resolves passport-fintech with its Accept-Language header, which acceptLanguage and headers still set', () => {
    const options = (yaml: string) => instance(`  pf: { type: passport-fintech${yaml} }\n`, 'pf').options;
    expect(options('')).toMatchObject({
      tokenUrl: 'https://bre-b-sandbox.api.visionamos.passportfintech.com/v1/iam/oauth/tokens',
      bodyFormat: 'json',
      clientAuth: 'body',
      defaultLifetime: 86_400,
      headers: { 'accept-language': 'en' },
    });
    expect(options(', acceptLanguage: de')).toMatchObject({ headers: { 'accept-language': 'de' } });
    expect(options(', headers: { X-Source: broker }')).toMatchObject({ headers: { 'accept-language': 'en', 'x-source': 'broker' } });
  });

  it('still reads defaultExpiresIn, the older name of defaultLifetime on oauth2-client-credentials', () => {
    const crm = instance('  crm: { type: oauth2-client-credentials, tokenUrl: "https://a.example/t", defaultExpiresIn: 60 }\n', 'crm');
    expect(crm.options).toMatchObject({ defaultLifetime: 60 });
  });

  const known = 'oauth2-client-credentials, oauth2-refresh-token, passolution, passport-fintech, passportal, portfoleon, smartdocumentor';
  const refreshType = 'type: oauth2-refresh-token, tokenUrl: "https://a.example/t"';
  it.each([
    ["a field the preset's type lacks", '{ type: passolution, scopes: x }', '"scopes" is not a field of type "passolution"'],
    ['a URL that is not one', `{ ${refreshType}, authorizeUrl: x }`, '"authorizeUrl" must be an http(s) URL'],
    ['a header the broker sets', '{ type: smartdocumentor, headers: { Authorization: x } }', '"headers" entry "Authorization" is set'],
    ['an unknown type', '{ type: acme }', `"type" is "acme", expected one of ${known}`],
  ])('refuses %s, naming provider and field', (_case, yaml, message) => {
    expect(() => load(`  p: ${yaml}\n`)).toThrow(`provider "p": field ${message}`);
  });

  it('names the file and lists the allowed fields when a type does not know a field', () => {
    expect(() => load('  p: { type: smartdocumentor, scopes: x }\n')).toThrow(
      new RegExp(
        `^PROVIDERS_FILE ${join(dir, 'providers.yaml')}: provider "p": field "scopes" is not a field of type "smartdocumentor"; ` +
          'allowed fields: type, baseUrl, refreshBefore, requestsPerMinute, .*\\bscope\\b',
      ),
    );
    expect(() => load('  p: { type: acme }\n')).toThrow(
      `PROVIDERS_FILE ${join(dir, 'providers.yaml')}: provider "p": field "type" is "acme"`,
    );
  });

  it('says once that a credential field is missing, not once per rule', () => {
    const registry = load('  sd: { type: smartdocumentor }\n');
    const problems = (body: unknown) => {
      try {
        registry.validateCredentials('sd', body);
      } catch (error) {
        return (error as InvalidCredentialsInputError).problems;
      }
      throw new Error('accepted');
    };
    expect(problems({ client_id: 'c' })).toEqual(['client_secret is required']);
    expect(problems({})).toEqual(['client_id is required', 'client_secret is required']);
    expect(problems({ client_id: 'c', client_secret: 7 })).toEqual(['client_secret must be a string']);
  });

  it('takes a refresh-token client without its refresh token (stored later), and nothing unknown', () => {
    const registry = load('  acme: { type: oauth2-refresh-token, tokenUrl: "https://a.example/t" }\n');
    expect(registry.validateCredentials('acme', { client_id: 'c', client_secret: 's' })).toEqual({ client_id: 'c', client_secret: 's' });
    expect(() => registry.validateCredentials('acme', { client_id: 'c', client_secret: 's', refresh_token: '' })).toThrow('refresh_token');
    expect(() => registry.validateCredentials('acme', { client_id: 'c', client_secret: 's', api_key: 'k' })).toThrow('1 unknown field');
  });
});
