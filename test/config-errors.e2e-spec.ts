import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from './support/broker-process';
import { CALLER_KEY, callersYaml } from './support/broker-harness';
import { freePort } from './support/redis-server';

const MAIN = join(process.cwd(), 'dist/apps/token-broker/src/main.js');
/** A broker that cannot start must say so at once; this is far more than any bad config needs. */
const GIVE_UP_MS = 10_000;

interface FailedStart {
  code: number | null;
  lines: string[];
  ms: number;
}

/** Runs the built broker as production does and collects everything it prints until it exits. */
function startExpectingFailure(env: Record<string, string>): Promise<FailedStart> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (process.env.TB_LOG_CAPTURE_DIR) appendFileSync(join(process.env.TB_LOG_CAPTURE_DIR, `failed-start-${child.pid}.log`), chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const giveUp = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(giveUp);
      resolve({ code, lines: output.split('\n').filter((line) => line !== ''), ms: Date.now() - started });
    }),
  );
}

/** Issue 16.10: a failed startup prints exactly one line, whatever stage it fails in, and never hangs. */
describe('a broker that cannot start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-config-errors-'));
  const goodProviders = join(dir, 'providers.yaml');
  writeFileSync(goodProviders, 'providers:\n  sd: { type: smartdocumentor, baseUrl: "http://127.0.0.1:9" }\n');
  const callersFile = join(dir, 'callers.yaml');
  writeFileSync(callersFile, callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
  const file = (name: string, text: string) => {
    // private like a real key file, so the permission check passes and the content is what fails
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  const base = {
    PROVIDERS_FILE: goodProviders,
    CALLERS_FILE: callersFile,
    CREDENTIALS_FILE: join(dir, 'credentials.enc'),
    BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['an environment variable', { CALLER_RATE_LIMIT: '0x10' }, /CALLER_RATE_LIMIT must be a whole number in plain decimal digits/],
    [
      'a provider field its type does not know (found while modules start)',
      { PROVIDERS_FILE: file('typo.yaml', 'providers:\n  sd: { type: smartdocumentor, scopes: x }\n') },
      /PROVIDERS_FILE .*typo\.yaml: provider "sd": field "scopes" is not a field of type "smartdocumentor"; allowed fields: /,
    ],
    [
      'a weak admin token',
      { BROKER_ADMIN_TOKEN: ' '.repeat(16) },
      /BROKER_ADMIN_TOKEN must be at least 32 characters .*openssl rand -base64 32/,
    ],
    [
      'a YAML syntax error',
      { PROVIDERS_FILE: file('syntax.yaml', 'providers:\n  sd:\n    type: smartdocumentor\n   baseUrl: x\n') },
      /PROVIDERS_FILE .*syntax\.yaml is not valid YAML: line 4, column 4: .*: " {3}baseUrl: x"$/,
    ],
    [
      'an unknown caller field',
      { CALLERS_FILE: file('alow.yaml', callersYaml({ billing: { key: CALLER_KEY, allow: '*' } }).replace('allow:', 'alow:')) },
      /caller "billing": unknown field "alow"; allowed fields: keySha256, allow$/,
    ],
    [
      'two callers with one key',
      {
        CALLERS_FILE: file(
          'twins.yaml',
          callersYaml({ billing: { key: CALLER_KEY, allow: '*' }, reports: { key: CALLER_KEY, allow: '*' } }),
        ),
      },
      /callers "billing" and "reports" have the same field "keySha256"/,
    ],
    [
      'a bad master key file (found while the credential store starts)',
      { BROKER_MASTER_KEY: '', BROKER_MASTER_KEY_FILE: file('master.key', 'c2hvcnQ=\n') },
      /BROKER_MASTER_KEY_FILE .*master\.key: the key must be base64 of exactly 32 random bytes/,
    ],
  ])('prints one line and exits 1 for %s', async (_case, env, message) => {
    const { code, lines } = await startExpectingFailure({ ...base, ...env });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^token-broker failed to start: ConfigError: /)]);
    expect(lines[0]).toMatch(message);
  });

  it('fails fast with one line for PROVIDERS_FILE=/dev/zero instead of reading forever', async () => {
    const { code, lines, ms } = await startExpectingFailure({ ...base, PROVIDERS_FILE: '/dev/zero' });
    expect({ code, lines }).toEqual({
      code: 1,
      lines: ['token-broker failed to start: ConfigError: PROVIDERS_FILE /dev/zero is not a regular file'],
    });
    expect(ms).toBeLessThan(5_000);
  });

  it('prints one line when the port is taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const { code, lines } = await startExpectingFailure({ ...base, PORT: String(port) });
      expect(code).toBe(1);
      expect(lines).toEqual([expect.stringMatching(/^token-broker failed to start: cannot listen \(EADDRINUSE\)/)]);
    } finally {
      server.close();
    }
  });

  it('starts with an empty provider list, and warns about it', async () => {
    const broker = new BrokerProcess(await freePort(), { ...base, PROVIDERS_FILE: file('empty.yaml', 'providers:\n') });
    await broker.start();
    await broker.kill('SIGTERM'); // log lines are written in batches: the last batch goes out on shutdown
    const warning = broker.output.split('\n').find((line) => line.includes('lists no providers'));
    expect(JSON.parse(warning!)).toMatchObject({
      level: 'warn',
      msg: expect.stringMatching(/^PROVIDERS_FILE .*empty\.yaml lists no providers/),
    });
  });
});
