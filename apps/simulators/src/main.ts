import {
  OAuth2ClientCredentialsSimulator,
  PassolutionSimulator,
  PassportalSimulator,
  PortfoleonSimulator,
  PassportFintechSimulator,
  SimulatorServer,
  SmartDocumentorSimulator,
} from '@app/providers/testing';

/**
 * `npm run simulators`: local stand-ins for the upstream token APIs, on the ports that
 * config/providers.yaml points at, all accepting the demo credentials below.
 */
const DEMO = { clientId: 'demo-client', clientSecret: 'demo-secret' };

const passolution = new PassolutionSimulator(DEMO);

const SIMULATORS: Array<[name: string, port: number, server: SimulatorServer]> = [
  ['smartdocumentor', 4101, new SmartDocumentorSimulator(DEMO)],
  ['passport-fintech', 4102, new PassportFintechSimulator(DEMO)],
  ['oauth2-client-credentials', 4103, new OAuth2ClientCredentialsSimulator(DEMO, { scope: 'read' })],
  ['passportal', 4104, new PassportalSimulator({ keyId: 'demo-key-id', secretKey: 'demo-secret-key' })],
  ['portfoleon', 4105, new PortfoleonSimulator('AKPF123,demo-api-key')],
  ['passolution', 4106, passolution],
];

async function main(): Promise<void> {
  for (const [name, port, server] of SIMULATORS) {
    await server.start(port);
    process.stdout.write(`${name.padEnd(28)} ${server.url}\n`);
  }
  process.stdout.write(`\nDemo credentials for every simulator: {"client_id":"${DEMO.clientId}","client_secret":"${DEMO.clientSecret}"}\n`);
  process.stdout.write(`Passportal: {"key_id":"demo-key-id","secret_key":"demo-secret-key"}; Portfoleon: {"api_key":"AKPF123,demo-api-key"}\n`);
  // a real Passolution account gets its first refresh token from the authorization-code exchange
  process.stdout.write(`Passolution's first single-use refresh token: ${passolution.currentRefreshToken}\n`);
  const stop = (): void => void Promise.all(SIMULATORS.map(([, , server]) => server.stop())).then(() => process.exit(0));
  process.on('SIGINT', stop).on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulators failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
