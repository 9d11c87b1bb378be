import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/errors';
import { loadBrokerConfig } from './load-broker-config';
import { parseProvidersYaml } from './providers-file';

describe('loadBrokerConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-config-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n  sd: { type: smartdocumentor }\n');

  it('applies documented defaults', () => {
    const config = loadBrokerConfig({ PROVIDERS_FILE: providersFile });
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', redis: undefined, logLevel: 'info', lockTtlMs: 15_000 });
    expect(config.credentials).toMatchObject({ backend: 'file', file: 'data/credentials.enc', filePermissions: 'strict' });
    expect(config.providers).toEqual([
      {
        id: 'sd',
        type: 'smartdocumentor',
        baseUrl: undefined,
        refreshBefore: { kind: 'percent', value: 20 },
        requestsPerMinute: undefined,
        options: {},
        definedIn: `PROVIDERS_FILE ${providersFile}`,
      },
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(loadBrokerConfig({ PROVIDERS_FILE: providersFile, REDIS_URL: '', PORT: '' }).port).toBe(3000);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be a whole number in plain decimal digits \(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT must not be greater than 65535/],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of the following values/],
    [{ CREDENTIALS_FILE_PERMISSIONS: 'ignore' }, /^CREDENTIALS_FILE_PERMISSIONS must be one of the following values: strict, warn/],
    [{ BROKER_ADMIN_TOKEN: 'short' }, /^BROKER_ADMIN_TOKEN must be at least 32 characters/],
    [{ BROKER_MASTER_KEY: Buffer.alloc(16).toString('base64') }, /^BROKER_MASTER_KEY must be base64 of exactly 32 random bytes/],
    [{ PROVIDERS_FILE: join(dir, 'missing.yaml') }, /^PROVIDERS_FILE .*missing\.yaml does not exist$/],
  ])('stops with one line naming the variable for %j', (env, message) => {
    expect(() => loadBrokerConfig({ PROVIDERS_FILE: providersFile, ...env })).toThrow(ConfigError);
    expect(() => loadBrokerConfig({ PROVIDERS_FILE: providersFile, ...env })).toThrow(message);
  });

  it('never repeats a secret variable value in its error', () => {
    expect(() => loadBrokerConfig({ PROVIDERS_FILE: providersFile, BROKER_ADMIN_TOKEN: 'tiny-secret' })).not.toThrow(/tiny-secret/);
  });
});

describe('parseProvidersYaml', () => {
  it('reads refreshBefore as a percentage or seconds and keeps type fields as options', () => {
    const [a, b] = parseProvidersYaml(`
providers:
  a: { type: smartdocumentor, refreshBefore: 35% }
  b: { type: oauth2-client-credentials, baseUrl: "https://auth.example.com/", tokenUrl: /token, refreshBefore: 300 }
`);
    expect(a.refreshBefore).toEqual({ kind: 'percent', value: 35 });
    expect(b).toEqual({
      id: 'b',
      type: 'oauth2-client-credentials',
      baseUrl: 'https://auth.example.com',
      refreshBefore: { kind: 'seconds', value: 300 },
      requestsPerMinute: undefined,
      options: { tokenUrl: '/token' },
      definedIn: 'PROVIDERS_FILE providers.yaml',
    });
  });

  it('accepts a file without providers', () => {
    expect(parseProvidersYaml('providers:\n')).toEqual([]);
  });

  it.each([
    ['providers: [a, b]', /"providers" must be a map/],
    ['providers:\n  a: { baseUrl: "https://x" }', /provider "a": field "type" is required/],
    ['providers:\n  a: { type: smartdocumentor, baseUrl: "ftp://x" }', /provider "a": field "baseUrl" must be an http\(s\) URL/],
    [
      'providers:\n  a: { type: smartdocumentor, baseUrl: "https://user:pw@x" }',
      /provider "a": field "baseUrl" must be an http\(s\) URL without credentials/,
    ],
    ['providers:\n  a: { type: smartdocumentor, refreshBefore: 95% }', /provider "a": field "refreshBefore" must be a percentage/],
    ['providers:\n  a: { type: smartdocumentor, refreshBefore: -5 }', /provider "a": field "refreshBefore"/],
    ['providers:\n  Bad/Id: { type: smartdocumentor }', /provider "Bad\/Id": id must match/],
    ['providers:\n  a: { type: 42 }', /provider "a": field "type" is required/],
    ['providers: {a: [', /is not valid YAML/],
  ])('rejects %j with a message naming provider and field', (yaml, message) => {
    expect(() => parseProvidersYaml(yaml)).toThrow(message);
  });
});

describe('CALLERS_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-callers-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n  sd: { type: smartdocumentor }\n');
  const load = (yaml: string) => {
    const callersFile = join(dir, `callers-${Math.random()}.yaml`);
    writeFileSync(callersFile, yaml);
    return loadBrokerConfig({ PROVIDERS_FILE: providersFile, CALLERS_FILE: callersFile });
  };
  const hash = 'a'.repeat(64);
  const opsHash = 'b'.repeat(64);

  it('reads callers by name with their key hash and allowed providers', () => {
    expect(
      load(`callers:\n  billing: { keySha256: ${hash}, allow: [sd] }\n  ops: { keySha256: ${opsHash}, allow: '*' }\n`).callers,
    ).toEqual([
      { name: 'billing', keySha256: hash, allow: ['sd'] },
      { name: 'ops', keySha256: opsHash, allow: '*' },
    ]);
  });

  it('notes a missing file instead of failing, so the broker starts and refuses token calls', () => {
    const config = loadBrokerConfig({ PROVIDERS_FILE: providersFile, CALLERS_FILE: join(dir, 'none.yaml') });
    expect(config).toMatchObject({ callers: [], callersFileState: 'missing' });
  });

  it.each([
    [
      `callers:\n  billing: { keySha256: not-a-hash, allow: [sd] }\n`,
      /caller "billing": field "keySha256" must be the lowercase hex SHA-256/,
    ],
    [`callers:\n  billing: { keySha256: ${hash}, allow: sd }\n`, /caller "billing": field "allow" must be a list of provider ids or "\*"/],
    [`callers:\n  billing: { keySha256: ${hash}, allow: [nope] }\n`, /caller "billing": field "allow" names provider "nope"/],
    [`callers:\n  "bad name": { keySha256: ${hash}, allow: '*' }\n`, /caller "bad name": name must be/],
    [`callers: [1, 2]\n`, /"callers" must be a map/],
  ])('rejects %j naming caller and field', (yaml, message) => {
    expect(() => load(yaml)).toThrow(message);
  });
});

describe('ALERT_WEBHOOK_URLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-config-alerts-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n');
  const load = (value?: string) => loadBrokerConfig({ PROVIDERS_FILE: providersFile, ALERT_WEBHOOK_URLS: value });

  it('is off when unset and keeps each URL exactly as given', () => {
    expect(load().alerts).toEqual({ webhookUrls: [] });
    expect(load(' https://hooks.example.com/services/T1/B2/x , http://127.0.0.1:9000/alerts/ ').alerts.webhookUrls).toEqual([
      'https://hooks.example.com/services/T1/B2/x',
      'http://127.0.0.1:9000/alerts/',
    ]);
  });

  it.each([
    'ftp://hooks.example.com/x',
    'https://user:hunter2@hooks.example.com/x',
    'hooks.example.com/x',
    'https://a.example.com/x,,https://b.example.com/y',
  ])('rejects %j naming the entry, never its value', (value) => {
    expect(() => load(value)).toThrow(ConfigError);
    expect(() => load(value)).toThrow(/^ALERT_WEBHOOK_URLS entry \d must be an http\(s\) URL without credentials/);
    expect(() => load(value)).not.toThrow(/hooks\.example|hunter2/);
  });
});

describe('PUBLIC_URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-config-public-url-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n');
  const load = (value?: string) => loadBrokerConfig({ PROVIDERS_FILE: providersFile, PUBLIC_URL: value });

  it('is unset by default and keeps the origin, without a trailing slash', () => {
    expect(load().publicUrl).toBeUndefined();
    expect(load('https://broker.example.com/').publicUrl).toBe('https://broker.example.com');
    expect(load('http://127.0.0.1:8080').publicUrl).toBe('http://127.0.0.1:8080');
  });

  it.each([
    ['broker.example.com', /^PUBLIC_URL must be an http\(s\) URL/],
    ['ftp://broker.example.com', /^PUBLIC_URL must use http or https/],
    ['https://broker.example.com/tb', /^PUBLIC_URL must be an origin without path, query or fragment, like https:\/\/broker.example.com/],
    ['https://broker.example.com/?x=1', /without path, query or fragment/],
    ['https://broker.example.com#top', /without path, query or fragment/],
    ['https://broker.example.com?', /without path, query or fragment/],
  ])('rejects %j', (value, message) => {
    expect(() => load(value)).toThrow(ConfigError);
    expect(() => load(value)).toThrow(message);
  });

  it('never repeats credentials given in it', () => {
    expect(() => load('https://ops:hunter2@broker.example.com')).toThrow(/^PUBLIC_URL must not carry a user name or password$/);
    expect(() => load('https://ops:hunter2@broker.example.com:99999')).not.toThrow(/hunter2/);
  });
});
