import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a service installs: libs/client as built by `npm run build`, on its own, with nothing else to install. */
describe('@token-broker/client as a package', () => {
  const dir = join(__dirname, '..', 'libs', 'client');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('names its built entry point and typings, and depends on nothing', () => {
    expect(manifest).toMatchObject({ name: '@token-broker/client', main: 'dist/index.js', types: 'dist/index.d.ts' });
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
    expect(readFileSync(join(dir, manifest.types), 'utf8')).toMatch(/export \{ TokenBrokerClient/);
    for (const file of readdirSync(join(dir, 'dist')).filter((name) => name.endsWith('.js'))) {
      const required = [...readFileSync(join(dir, 'dist', file), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(([, name]) => name);
      expect({ file, outside: required.filter((name) => !name.startsWith('./')) }).toEqual({ file, outside: [] });
    }
  });

  it('loads through its package.json like an installed module', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the test is that require() finds it through package.json
    const built = require(dir) as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(['TokenBrokerClient', 'TokenBrokerError']);
    expect(existsSync(require.resolve(dir))).toBe(true);
  });

  it('packs only its build output: no specs, no test server', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }));
    const files = (pack.files as { path: string }[]).map((file) => file.path).sort();
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((path) => path !== 'package.json' && !/^dist\/[\w.-]+\.(js|d\.ts)$/.test(path))).toEqual([]);
    expect(files.some((path) => /spec|testing|fake/.test(path))).toBe(false);
  });
});
