import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/errors';
import { loadBrokerConfig } from './load-broker-config';

describe('PROVIDERS_FILE checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-providers-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const load = (yaml: string) => {
    const providersFile = join(dir, `providers-${(files += 1)}.yaml`);
    writeFileSync(providersFile, yaml);
    return loadBrokerConfig({ PROVIDERS_FILE: providersFile, CALLERS_FILE: join(dir, 'none.yaml') });
  };

  it.each([
    ['provider:\n  sd: { type: smartdocumentor }\n', 'provider'],
    ['providers:\n  sd: { type: smartdocumentor }\ncallers:\n', 'callers'],
  ])('stops on an unknown top-level key in %j, listing the allowed one', (yaml, key) => {
    expect(() => load(yaml)).toThrow(ConfigError);
    expect(() => load(yaml)).toThrow(
      new RegExp(`^PROVIDERS_FILE .*providers-\\d+\\.yaml: unknown top-level key "${key}"; allowed top-level keys: providers$`),
    );
  });

  it('names the file in every error about a provider', () => {
    expect(() => load('providers:\n  a: { type: smartdocumentor, refreshBefore: 95% }\n')).toThrow(
      /^PROVIDERS_FILE .*providers-\d+\.yaml: provider "a": field "refreshBefore" must be a percentage/,
    );
  });

  it('starts with an empty provider list (main.ts warns about it), and remembers where each provider is defined', () => {
    expect(load('providers:\n').providers).toEqual([]);
    expect(load('# nothing yet\n').providers).toEqual([]);
    const [sd] = load('providers:\n  sd: { type: smartdocumentor }\n').providers;
    expect(sd.definedIn).toMatch(/^PROVIDERS_FILE .*providers-\d+\.yaml$/);
  });
});
