/**
 * Settings of the development tools in this app (`npm run simulators`, `npm run demo`). They are
 * not the broker's, so they live here rather than in libs/config; the entry points pass
 * `process.env` in and nothing else reads it.
 */
export interface SimulatorsEnvironment {
  /** First simulator port; the others follow in the order of DEMO_UPSTREAMS. 0 = any free ports. */
  basePort: number;
  /** Address the simulators listen on: loopback, or 0.0.0.0 when the broker runs in another container. */
  host: string;
  /** Port of the broker that `npm run demo` starts. */
  demoPort: number;
}

export const SIMULATORS_ENV_VARS = ['SIMULATOR_BASE_PORT', 'SIMULATOR_HOST', 'DEMO_PORT'] as const;

const DEFAULTS: SimulatorsEnvironment = { basePort: 4101, host: '127.0.0.1', demoPort: 3000 };

/** Throws one line naming the variable for a bad value; empty means unset. */
export function parseSimulatorsEnvironment(env: Record<string, string | undefined>): SimulatorsEnvironment {
  return {
    basePort: port(env, 'SIMULATOR_BASE_PORT', DEFAULTS.basePort, 0),
    host: env.SIMULATOR_HOST || DEFAULTS.host,
    // the demo prints a curl line with this port, so it cannot be left to the system
    demoPort: port(env, 'DEMO_PORT', DEFAULTS.demoPort, 1),
  };
}

function port(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > 65535)
    throw new Error(`${name} must be a port number ${min}-65535 (got "${raw}")`);
  return Number(raw);
}
