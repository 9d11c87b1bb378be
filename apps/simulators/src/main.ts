import { createDemoUpstreams, startDemoUpstreams, stopDemoUpstreams } from './demo-upstreams';
import { parseSimulatorsEnvironment } from './simulators-environment';

/**
 * `npm run simulators`: local stand-ins for the upstream token APIs, on the ports that
 * config/providers.yaml points at (SIMULATOR_BASE_PORT moves them), each accepting the demo
 * credentials it prints. `npm run demo` does the rest (broker, caller, credentials) by itself.
 */
async function main(): Promise<void> {
  const env = parseSimulatorsEnvironment(process.env);
  const upstreams = createDemoUpstreams();
  const stop = (): void => void stopDemoUpstreams(upstreams).then(() => process.exit(0));
  process.on('SIGINT', stop).on('SIGTERM', stop);
  await startDemoUpstreams(upstreams, env.basePort, env.host);
  for (const upstream of upstreams) {
    process.stdout.write(
      `${upstream.provider.padEnd(18)} ${upstream.simulator.url}  credentials: ${JSON.stringify(upstream.credentials())}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`simulators failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
