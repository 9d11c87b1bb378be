import { dump } from 'js-yaml';
import {
  OAuth2ClientCredentialsSimulator,
  PassolutionSimulator,
  PassportalSimulator,
  PassportFintechSimulator,
  PortfoleonSimulator,
  SimulatorServer,
  SmartDocumentorSimulator,
} from '@app/providers/testing';

/** Made-up credentials every simulator accepts; nothing real is behind them. */
const DEMO_CLIENT = { clientId: 'demo-client', clientSecret: 'demo-secret' };
const DEMO_PASSPORTAL = { keyId: 'demo-key-id', secretKey: 'demo-secret-key' };
const DEMO_PORTFOLEON_API_KEY = 'AKPF123,demo-api-key';

/** One provider instance as the demo runs it: its simulator, its providers-file entry and its credentials. */
export interface DemoUpstream {
  provider: string;
  simulator: SimulatorServer;
  /** The providers-file entry for a simulator at `url`. */
  settings(url: string): Record<string, string>;
  /** What `PUT /admin/credentials/<provider>` stores (read when seeding, so Passolution's is its current one). */
  credentials(): Record<string, string>;
}

/**
 * The six upstreams, in port order: with SIMULATOR_BASE_PORT=4101, smartdocumentor is on 4101 and
 * passolution on 4106, as config/providers.yaml and config/demo/providers.yaml expect.
 */
export function createDemoUpstreams(): DemoUpstream[] {
  const client = { client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret };
  const passolution = new PassolutionSimulator(DEMO_CLIENT);
  return [
    {
      provider: 'smartdocumentor',
      simulator: new SmartDocumentorSimulator(DEMO_CLIENT),
      settings: (url) => ({ type: 'smartdocumentor', baseUrl: url }),
      credentials: () => client,
    },
    {
      provider: 'passport-fintech',
      simulator: new PassportFintechSimulator(DEMO_CLIENT),
      settings: (url) => ({ type: 'passport-fintech', baseUrl: url }),
      credentials: () => client,
    },
    {
      provider: 'crm',
      simulator: new OAuth2ClientCredentialsSimulator(DEMO_CLIENT, { scope: 'read' }),
      settings: (url) => ({ type: 'oauth2-client-credentials', tokenUrl: `${url}/oauth/token`, scope: 'read' }),
      credentials: () => client,
    },
    {
      provider: 'passportal',
      simulator: new PassportalSimulator(DEMO_PASSPORTAL),
      settings: (url) => ({ type: 'passportal', baseUrl: url }),
      credentials: () => ({ key_id: DEMO_PASSPORTAL.keyId, secret_key: DEMO_PASSPORTAL.secretKey }),
    },
    {
      provider: 'portfoleon',
      simulator: new PortfoleonSimulator(DEMO_PORTFOLEON_API_KEY),
      settings: (url) => ({ type: 'portfoleon', baseUrl: url }),
      credentials: () => ({ api_key: DEMO_PORTFOLEON_API_KEY }),
    },
    {
      provider: 'passolution',
      simulator: passolution,
      settings: (url) => ({ type: 'passolution', baseUrl: url }),
      // a real account gets its first refresh token from the authorization-code exchange
      credentials: () => ({ ...client, refresh_token: passolution.currentRefreshToken }),
    },
  ];
}

/** Starts every simulator, on consecutive ports from `basePort` (0: any free ports). */
export async function startDemoUpstreams(upstreams: DemoUpstream[], basePort: number, host: string): Promise<void> {
  for (const [index, { simulator }] of upstreams.entries()) await simulator.start(basePort === 0 ? 0 : basePort + index, host);
}

export async function stopDemoUpstreams(upstreams: DemoUpstream[]): Promise<void> {
  await Promise.all(upstreams.map(({ simulator }) => simulator.stop()));
}

/** A PROVIDERS_FILE for the upstreams, reached at `urlOf(upstream, index)`. */
export function demoProvidersYaml(upstreams: DemoUpstream[], urlOf: (upstream: DemoUpstream, index: number) => string): string {
  const providers = Object.fromEntries(upstreams.map((upstream, index) => [upstream.provider, upstream.settings(urlOf(upstream, index))]));
  return dump({ providers }, { lineWidth: -1 });
}
