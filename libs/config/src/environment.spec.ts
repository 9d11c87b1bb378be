import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/errors';
import { TEST_SECRETS } from '../../../test/support/test-secrets';
import { loadBrokerConfig } from './load-broker-config';

describe('environment rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-environment-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (env: Record<string, string>) => loadBrokerConfig({ PROVIDERS_FILE: providersFile, ...env });

  describe('BROKER_ADMIN_TOKEN', () => {
    it.each([
      ['16 spaces', ' '.repeat(16)],
      ['one character repeated', 'a'.repeat(40)],
      ['31 characters', 'tb-admin-token-of-31-characters'],
      ['whitespace inside', 'tb-admin-token with-a-space-inside-it'],
      ['a trailing newline', `${TEST_SECRETS.adminToken}\n`],
    ])('refuses %s, saying how to make a strong one', (_case, token) => {
      expect(() => load({ BROKER_ADMIN_TOKEN: token })).toThrow(ConfigError);
      expect(() => load({ BROKER_ADMIN_TOKEN: token })).toThrow(
        /^BROKER_ADMIN_TOKEN must be at least 32 characters without whitespace, not one character repeated \(make one with: openssl rand -base64 32\)$/,
      );
    });

    it('takes a token of 32 characters or more', () => {
      expect(load({ BROKER_ADMIN_TOKEN: 'tb-admin-token-of-32-characters!' }).adminToken).toHaveLength(32);
      expect(load({ BROKER_ADMIN_TOKEN: TEST_SECRETS.adminToken }).adminToken).toBe(TEST_SECRETS.adminToken);
    });
  });

  const numeric = [
    'PORT',
    'CALLER_RATE_LIMIT',
    'CREDENTIALS_CACHE_MS',
    'UPSTREAM_TIMEOUT_MS',
    'REFRESH_TICK_MS',
    'REFRESH_CONCURRENCY',
    'LOCK_TTL_MS',
    'LOCK_WAIT_MS',
  ];
  describe.each(numeric)('%s', (name) => {
    it.each(['0x10', '1e3', ' 5', '5 ', '+5', '5.0', '0b11', 'Infinity'])('refuses %j: only plain decimal digits', (value) => {
      expect(() => load({ [name]: value })).toThrow(
        new RegExp(`^${name} must be a whole number in plain decimal digits \\(got "${value.replace('+', '\\+')}"\\)$`),
      );
    });

    it('takes plain decimal digits', () => {
      expect(() => load({ [name]: '1000' })).not.toThrow();
    });
  });

  it.each([
    ['not base64 at all', 'not base64!'],
    ['16 bytes', Buffer.alloc(16, 7).toString('base64')],
  ])('refuses a BROKER_MASTER_KEY of %s in one wording, saying how to make one', (_case, key) => {
    expect(() => load({ BROKER_MASTER_KEY: key })).toThrow(
      /^BROKER_MASTER_KEY must be base64 of exactly 32 random bytes \(make one with: openssl rand -base64 32\)$/,
    );
  });
});
