import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DemoBroker } from './demo-broker';
import { demoCurlLine, seedDemoCredentials, waitUntilReady } from './demo-seed';
import { createDemoUpstreams, type DemoUpstream, demoProvidersYaml, startDemoUpstreams, stopDemoUpstreams } from './demo-upstreams';
import { parseSimulatorsEnvironment } from './simulators-environment';

const USAGE = `Usage: npm run demo                      simulators + a broker in embedded mode, demo credentials stored
       node dist/apps/simulators/src/demo.js --broker URL [--public-url URL]
                                        simulators only, storing the demo credentials in the broker at URL
                                        (needs BROKER_ADMIN_TOKEN; docker/compose.yaml runs this)

Environment: SIMULATOR_BASE_PORT (4101; 0 = any free ports), SIMULATOR_HOST (127.0.0.1), DEMO_PORT (3000).`;

/** dist/apps/simulators/src -> the repository (or image) root, whatever the working directory. */
const DEMO_CALLERS_FILE = resolve(__dirname, '../../../../config/demo/callers.yaml');

const cleanups: Array<() => unknown> = [];
let stopping = false;

/** Undoes what was started, newest first, once however many signals arrive (npm forwards Ctrl-C too). */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups.reverse()) await cleanup();
  process.exit(code);
}

function fail(message: string): void {
  if (stopping) return; // e.g. the broker ending because Ctrl-C reached it too
  process.stderr.write(`token-broker demo: ${message}\n`);
  void stop(1);
}

async function runEmbedded(upstreams: DemoUpstream[], port: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'token-broker-demo-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const providersFile = join(dataDir, 'providers.yaml');
  writeFileSync(
    providersFile,
    demoProvidersYaml(upstreams, (upstream) => upstream.simulator.url),
  );
  const broker = new DemoBroker(port, { dataDir, providersFile, callersFile: DEMO_CALLERS_FILE });
  let ready = false;
  broker.start((reason) => fail(ready ? reason : `${reason} before it was ready; if port ${port} is taken, set DEMO_PORT`));
  cleanups.push(() => broker.stop());
  await waitUntilReady(broker.url, 30_000, () => broker.exited);
  ready = true;
  await seedDemoCredentials(broker.url, broker.adminToken, upstreams);
  announce(upstreams, broker.url, `Broker: ${broker.url} (embedded mode; its data is in ${dataDir}, removed on exit)`);
}

async function seedRunningBroker(
  upstreams: DemoUpstream[],
  brokerUrl: string,
  publicUrl: string,
  adminToken: string | undefined,
): Promise<void> {
  if (!adminToken) throw new Error('--broker needs BROKER_ADMIN_TOKEN, the admin token of that broker');
  await waitUntilReady(brokerUrl, 120_000);
  await seedDemoCredentials(brokerUrl, adminToken, upstreams);
  announce(upstreams, publicUrl, `Broker: ${publicUrl}`);
}

function announce(upstreams: DemoUpstream[], brokerUrl: string, brokerLine: string): void {
  const [first, ...others] = upstreams.map((upstream) => upstream.provider);
  const lines = [
    `Upstream simulators: ${upstreams.map((upstream) => `${upstream.provider} ${upstream.simulator.url}`).join(', ')}`,
    brokerLine,
    `Demo credentials stored for ${[first, ...others].join(', ')}. A token:`,
    '',
    `  ${demoCurlLine(brokerUrl, first)}`,
    '',
    `(or any of ${others.join(', ')}; status page ${brokerUrl}/). Ctrl-C stops everything.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--broker', '--public-url'].includes(argv[i]) || argv[i + 1] === undefined)
      throw new Error(`unexpected argument "${argv[i]}"\n${USAGE}`);
    flags.set(argv[i], argv[i + 1]);
  }
  const env = parseSimulatorsEnvironment(process.env);
  const upstreams = createDemoUpstreams();
  process.on('SIGINT', () => void stop(0)).on('SIGTERM', () => void stop(0));
  cleanups.push(() => stopDemoUpstreams(upstreams));
  await startDemoUpstreams(upstreams, env.basePort, env.host).catch((error: Error) => {
    throw new Error(
      `cannot start the simulators: ${error.message}; set SIMULATOR_BASE_PORT to the first of ${upstreams.length} free ports`,
    );
  });
  const broker = flags.get('--broker');
  if (broker) await seedRunningBroker(upstreams, broker, flags.get('--public-url') ?? broker, process.env.BROKER_ADMIN_TOKEN);
  else await runEmbedded(upstreams, env.demoPort);
}

main(process.argv.slice(2)).catch((error: unknown) => fail((error as Error).message));
