import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_SECRETS } from './support/test-secrets';

const CLI = join(process.cwd(), 'dist/apps/broker-cli/src/main.js');

function cli(args: string[], env: Record<string, string> = {}, input?: string): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    input,
    encoding: 'utf8',
  });
  return { status, stdout, stderr };
}

/** The CLI as an operator runs it (`npm run -s cli -- ...`), built by `npm test` first. */
describe('broker CLI', () => {
  it.each(['--help', '-h', 'credentials --help'])('"%s" prints the usage, says it writes the store directly and what it needs', (args) => {
    const { status, stdout, stderr } = cli(args.split(' '));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toContain('write the credential store directly, not through a running broker');
    for (const name of ['PROVIDERS_FILE', 'CREDENTIALS_FILE', 'BROKER_MASTER_KEY', 'VAULT_ADDR', 'PUT /admin/credentials/<provider>'])
      expect(stdout).toContain(name);
  });

  it('prints the usage on stderr and exits 2 for an unknown command', () => {
    const { status, stdout, stderr } = cli(['credentials', 'frobnicate', 'x']);
    expect({ status, stdout }).toEqual({ status: 2, stdout: '' });
    expect(stderr).toContain('Usage: npm run -s cli -- credentials <command> <provider>');
  });

  it('stores credentials in the encrypted file with no broker running, and shows their field names only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cli-'));
    try {
      writeFileSync(join(dir, 'providers.yaml'), 'providers:\n  billing: { type: smartdocumentor, baseUrl: "http://127.0.0.1:9" }\n');
      const env = {
        PROVIDERS_FILE: join(dir, 'providers.yaml'),
        CALLERS_FILE: join(dir, 'callers.yaml'),
        CREDENTIALS_FILE: join(dir, 'credentials.enc'),
        BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
      };
      const stored = cli(
        ['credentials', 'set', 'billing'],
        env,
        JSON.stringify({ client_id: 'cli-client', client_secret: TEST_SECRETS.clientSecret }),
      );
      expect(stored).toMatchObject({ status: 0, stdout: 'Stored credentials for billing: fields client_id, client_secret, version 1\n' });
      const shown = cli(['credentials', 'show', 'billing'], env);
      expect(shown.status).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ provider: 'billing', fields: ['client_id', 'client_secret'], version: 1 });
      expect(readFileSync(env.CREDENTIALS_FILE, 'utf8')).not.toContain(TEST_SECRETS.clientSecret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('"credentials init" creates an empty store only where the file was lost, and only for the file store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cli-'));
    try {
      writeFileSync(join(dir, 'providers.yaml'), 'providers:\n  billing: { type: smartdocumentor, baseUrl: "http://127.0.0.1:9" }\n');
      const env = {
        PROVIDERS_FILE: join(dir, 'providers.yaml'),
        CALLERS_FILE: join(dir, 'callers.yaml'),
        CREDENTIALS_FILE: join(dir, 'data', 'credentials.enc'),
        BROKER_MASTER_KEY_FILE: join(dir, 'data', 'master.key'),
      };
      const first = cli(['credentials', 'init'], env); // a first start creates the file before the command runs
      // Nest's console logger prints the generated key's warning on stdout first
      expect(first).toMatchObject({
        status: 0,
        stdout: expect.stringMatching(/\nNothing to do: encrypted file \S+ exists \(init is for a lost one; first starts create it\)\n$/),
      });
      rmSync(env.CREDENTIALS_FILE);
      expect(cli(['credentials', 'show', 'billing'], env)).toMatchObject({
        status: 1,
        stderr: expect.stringContaining(`Credentials file ${env.CREDENTIALS_FILE} is missing`),
      });
      expect(existsSync(env.CREDENTIALS_FILE)).toBe(false);
      expect(cli(['credentials', 'init'], env)).toMatchObject({
        status: 0,
        stdout: `Created an empty credential store: encrypted file ${env.CREDENTIALS_FILE}\n`,
      });
      const vault = cli(['credentials', 'init'], { ...env, VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 'unused' });
      expect(vault).toMatchObject({
        status: 1,
        stderr: expect.stringContaining('credentials init is for the encrypted file store (CREDENTIALS_FILE)'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
