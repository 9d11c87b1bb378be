import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig } from '@app/config';
import { ConfigError } from '@app/errors';
import { loadMasterKey } from './master-key';

/** A bad master key is refused in the same words whether it came from BROKER_MASTER_KEY or the key file. */
describe('loadMasterKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-master-key-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rule = 'must be base64 of exactly 32 random bytes (make one with: openssl rand -base64 32)';

  it('refuses a short key file with the rule BROKER_MASTER_KEY is checked against', () => {
    const masterKeyFile = join(dir, 'master.key');
    writeFileSync(masterKeyFile, `${Buffer.alloc(16, 1).toString('base64')}\n`);
    const load = () => loadMasterKey({ masterKeyFile }, new Logger('test'));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`BROKER_MASTER_KEY_FILE ${masterKeyFile}: the key ${rule}`);
    expect(() => loadBrokerConfig({ PROVIDERS_FILE: providersFile, BROKER_MASTER_KEY: 'c2hvcnQ=' })).toThrow(`BROKER_MASTER_KEY ${rule}`);
  });

  it.each([
    ['a device that never ends', '/dev/zero', /^BROKER_MASTER_KEY_FILE \/dev\/zero is not a regular file$/],
    ['a directory', tmpdir(), /is not a regular file$/],
  ])('refuses %s instead of reading it', (_case, masterKeyFile, message) => {
    expect(() => loadMasterKey({ masterKeyFile }, new Logger('test'))).toThrow(message);
  });

  it('refuses a key file larger than 1 KiB', () => {
    const masterKeyFile = join(dir, 'big.key');
    writeFileSync(masterKeyFile, 'A'.repeat(4096));
    expect(() => loadMasterKey({ masterKeyFile }, new Logger('test'))).toThrow(/big\.key is larger than 1 KiB/);
  });
});
