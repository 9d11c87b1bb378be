import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CALLER_KEY } from '../apps/simulators/src/demo-seed';
import { createDemoUpstreams, demoProvidersYaml } from '../apps/simulators/src/demo-upstreams';
import { ADMIN_TOKEN, callersYaml, startBroker } from './support/broker-harness';
import { freePort } from './support/redis-server';
import { waitFor } from './support/wait-for';

const DEMO = join(process.cwd(), 'dist/apps/simulators/src/demo.js');
const CURL_LINE = /curl -s -H 'Authorization: Bearer (\S+)' (http:\/\/\S+)\/tokens\/(\S+)\n/;

/** `npm run demo` as a new user runs it (built by `npm test` first), from an empty directory. */
class DemoProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly cwd: string,
    env: Record<string, string>,
    args: string[] = [],
  ) {
    this.child = spawn(process.execPath, [DEMO, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const capture = process.env.TB_LOG_CAPTURE_DIR && join(process.env.TB_LOG_CAPTURE_DIR, `demo-${this.child.pid}.log`);
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString();
      if (capture) appendFileSync(capture, chunk);
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }
}

const PROVIDERS = ['smartdocumentor', 'passport-fintech', 'crm', 'passportal', 'portfoleon', 'passolution'];

/** The first of six consecutive free loopback ports, for simulators whose URLs must be known in advance. */
async function freePortRange(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const servers = [];
    try {
      for (let port = base; port < base + count; port += 1) {
        const server = createServer();
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
        servers.push(server);
      }
      return base;
    } catch {
      // taken: try another range
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  }
}

const refused = (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    () => false,
    () => true,
  );

describe('npm run demo', () => {
  // the demo's data directory is made under TMPDIR: a private one shows that nothing is left behind
  let scratch: string;
  let workDir: string;
  let demoTmp: string;
  let running: DemoProcess | undefined;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tb-demo-test-'));
    workDir = join(scratch, 'cwd');
    demoTmp = join(scratch, 'tmp');
    for (const dir of [workDir, demoTmp]) mkdirSync(dir);
  });

  afterEach(async () => {
    if (running?.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('prints one curl line that returns a token, serves every provider, and Ctrl-C stops everything and cleans up', async () => {
    const demoPort = await freePort();
    running = new DemoProcess(workDir, { SIMULATOR_BASE_PORT: '0', DEMO_PORT: String(demoPort), TMPDIR: demoTmp });
    const demo = running;
    await waitFor(() => CURL_LINE.test(demo.output) || demo.child.exitCode !== null, 60_000);
    const [, callerKey, brokerUrl, provider] = CURL_LINE.exec(demo.output) ?? [];
    expect(brokerUrl).toBe(`http://127.0.0.1:${demoPort}`);
    expect(provider).toBe('smartdocumentor');

    for (const id of PROVIDERS) {
      const response = await fetch(`${brokerUrl}/tokens/${id}`, { headers: { authorization: `Bearer ${callerKey}` } });
      expect({ id, status: response.status }).toEqual({ id, status: 200 });
      const body = (await response.json()) as { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
      expect(typeof body.access_token).toBe('string');
      expect(body.expires_in).toBeGreaterThan(0);
    }
    const simulatorUrls = [...demo.output.matchAll(/ (http:\/\/127\.0\.0\.1:\d+)[,\n]/g)].map((match) => match[1]);
    expect(simulatorUrls).toHaveLength(PROVIDERS.length);
    expect(readdirSync(demoTmp)).toHaveLength(1); // the demo's own data directory, nowhere else

    demo.child.kill('SIGINT');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(await refused(`${brokerUrl}/health/live`)).toBe(true);
    for (const url of simulatorUrls) expect(await refused(url)).toBe(true);
    expect(readdirSync(demoTmp)).toEqual([]);
    expect(readdirSync(workDir)).toEqual([]);
    expect(demo.output).not.toMatch(/demo-secret|AKPF123|\bdef[0-9a-f]{32}\b/);
  }, 90_000);

  it('with --broker, stores the demo credentials in a running broker, as the compose simulators service does', async () => {
    const basePort = await freePortRange(PROVIDERS.length);
    const broker = await startBroker({
      providersYaml: demoProvidersYaml(createDemoUpstreams(), (_, index) => `http://127.0.0.1:${basePort + index}`),
      callersYaml: callersYaml({ demo: { key: DEMO_CALLER_KEY, allow: '*' } }),
    });
    try {
      const publicUrl = 'http://localhost:3001';
      const env = { SIMULATOR_BASE_PORT: String(basePort), BROKER_ADMIN_TOKEN: ADMIN_TOKEN, TMPDIR: demoTmp };
      running = new DemoProcess(workDir, env, ['--broker', broker.url, '--public-url', publicUrl]);
      const demo = running;
      await waitFor(() => CURL_LINE.test(demo.output) || demo.child.exitCode !== null, 30_000);
      expect(CURL_LINE.exec(demo.output)?.slice(1)).toEqual([DEMO_CALLER_KEY, publicUrl, 'smartdocumentor']);
      for (const id of PROVIDERS) {
        const response = await fetch(`${broker.url}/tokens/${id}`, { headers: { authorization: `Bearer ${DEMO_CALLER_KEY}` } });
        expect({ id, status: response.status }).toEqual({ id, status: 200 });
      }
      demo.child.kill('SIGTERM'); // docker compose stop
      expect(await demo.exited).toEqual({ code: 0, signal: null });
      expect(readdirSync(demoTmp)).toEqual([]);
    } finally {
      await broker.close();
    }
  }, 60_000);

  it('says in one line which variable to change when the broker port is taken, and leaves nothing running', async () => {
    // holds the port; drops whoever connects, or a connection never read would stay open after the test
    const taken: Server = createServer((socket) => socket.destroy());
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      running = new DemoProcess(workDir, { SIMULATOR_BASE_PORT: '0', DEMO_PORT: String(port), TMPDIR: demoTmp });
      expect((await running.exited).code).toBe(1);
      expect(running.output).toMatch(
        /^token-broker demo: the broker exited \(code 1\) before it was ready; if port \d+ is taken, set DEMO_PORT$/m,
      );
      expect(running.output).not.toMatch(/^\s+at /m);
      expect(readdirSync(demoTmp)).toEqual([]);
    } finally {
      taken.close();
    }
  }, 60_000);

  it('refuses a bad SIMULATOR_BASE_PORT with one line naming it', async () => {
    running = new DemoProcess(workDir, { SIMULATOR_BASE_PORT: 'abc', TMPDIR: demoTmp });
    expect((await running.exited).code).toBe(1);
    expect(running.output).toBe('token-broker demo: SIMULATOR_BASE_PORT must be a port number 0-65535 (got "abc")\n');
    expect(existsSync(demoTmp) && readdirSync(demoTmp)).toEqual([]);
  });
});
