import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/errors';
import { loadBrokerConfig } from './load-broker-config';

/** PROVIDERS_FILE and CALLERS_FILE are read whole and at once: only small regular files are. */
describe('config files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-config-file-'));
  const providersFile = join(dir, 'providers.yaml');
  writeFileSync(providersFile, 'providers:\n  sd: { type: smartdocumentor }\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fifo = join(dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  mkdirSync(join(dir, 'a-directory'));
  const huge = join(dir, 'huge.yaml');
  writeFileSync(huge, `providers:\n${'#'.repeat(1024 * 1024)}\n`);

  it.each([
    ['/dev/zero', /^PROVIDERS_FILE \/dev\/zero is not a regular file$/],
    [fifo, /^PROVIDERS_FILE .*fifo\.yaml is not a regular file$/],
    [join(dir, 'a-directory'), /^PROVIDERS_FILE .*a-directory is not a regular file$/],
    [huge, /^PROVIDERS_FILE .*huge\.yaml is larger than 1 MiB/],
  ])('refuses PROVIDERS_FILE=%s at once', (path, message) => {
    const started = Date.now();
    expect(() => loadBrokerConfig({ PROVIDERS_FILE: path })).toThrow(message);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it.each([['/dev/zero'], [fifo]])('refuses CALLERS_FILE=%s the same way', (path) => {
    expect(() => loadBrokerConfig({ PROVIDERS_FILE: providersFile, CALLERS_FILE: path })).toThrow(
      /^CALLERS_FILE .* is not a regular file$/,
    );
  });

  it('reads a file of exactly 1 MiB', () => {
    const text = 'providers:\n  sd: { type: smartdocumentor }\n';
    const file = join(dir, 'padded.yaml');
    writeFileSync(file, text + '#'.repeat(1024 * 1024 - text.length - 1) + '\n');
    expect(loadBrokerConfig({ PROVIDERS_FILE: file }).providers).toHaveLength(1);
  });

  it.each([
    [
      'providers.yaml',
      'providers:\n  sd:\n    type: smartdocumentor\n   baseUrl: https://x.example\n',
      /^PROVIDERS_FILE .*providers\.yaml is not valid YAML: line 4, column 4: bad indentation of a mapping entry: " {3}baseUrl: https:\/\/x\.example"$/,
    ],
    [
      'callers.yaml',
      'callers:\n  billing: { keySha256: "abc }\n',
      /^CALLERS_FILE .*callers\.yaml is not valid YAML: line \d+, column \d+: .+: (".+"|\(end of file\))$/,
    ],
  ])('shows the line of a YAML syntax error in %s, in one line', (name, yaml, message) => {
    const file = join(dir, `syntax-${name}`);
    writeFileSync(file, yaml);
    const env = name === 'providers.yaml' ? { PROVIDERS_FILE: file } : { PROVIDERS_FILE: providersFile, CALLERS_FILE: file };
    expect(() => loadBrokerConfig(env)).toThrow(ConfigError);
    expect(() => loadBrokerConfig(env)).toThrow(message);
  });
});
