import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/errors';
import { loadBrokerConfig } from './load-broker-config';

describe('CALLERS_FILE checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-callers-file-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n  sd: { type: smartdocumentor }\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const load = (yaml: string) => {
    const callersFile = join(dir, `callers-${(files += 1)}.yaml`);
    writeFileSync(callersFile, yaml);
    return loadBrokerConfig({ PROVIDERS_FILE: providersFile, CALLERS_FILE: callersFile });
  };
  const hash = 'a'.repeat(64);
  const other = 'b'.repeat(64);

  it('stops when two callers share a key, naming both', () => {
    const yaml = `callers:\n  billing: { keySha256: ${hash}, allow: '*' }\n  ops: { keySha256: ${other}, allow: '*' }\n  reports: { keySha256: ${hash}, allow: [sd] }\n`;
    expect(() => load(yaml)).toThrow(ConfigError);
    expect(() => load(yaml)).toThrow(/^CALLERS_FILE .*callers-\d+\.yaml: callers "billing" and "reports" have the same field "keySha256"/);
  });

  it.each([
    [
      `callers:\n  billing: { keySha256: ${hash}, alow: [sd] }\n`,
      /^CALLERS_FILE .*: caller "billing": unknown field "alow"; allowed fields: keySha256, allow$/,
    ],
    [
      `callers:\n  billing: { keySha256: ${hash}, allow: '*', note: x }\n`,
      /caller "billing": unknown field "note"; allowed fields: keySha256, allow$/,
    ],
    [
      `caller:\n  billing: { keySha256: ${hash}, allow: '*' }\n`,
      /^CALLERS_FILE .*: unknown top-level key "caller"; allowed top-level keys: callers$/,
    ],
    [`callers:\n  billing:\n`, /caller "billing": settings must be a map with the fields keySha256, allow$/],
  ])('stops on %j naming caller and field, and the allowed ones', (yaml, message) => {
    expect(() => load(yaml)).toThrow(message);
  });

  it.each([
    ['an empty file', ''],
    ['comments only (the shipped file)', '# callers:\n#   billing:\n'],
    ['"callers:" with no entry', 'callers:\n'],
    ['an empty map', 'callers: {}\n'],
  ])('says no callers are configured for %s, as for a missing file', (_case, yaml) => {
    expect(load(yaml)).toMatchObject({ callers: [], callersFileState: 'empty' });
  });

  it('says the callers are listed when there are some', () => {
    expect(load(`callers:\n  billing: { keySha256: ${hash}, allow: '*' }\n`).callersFileState).toBe('listed');
  });
});
