import type { SimulatorFault, SimulatorServer } from '@app/providers/testing';
import type { FuzzRandom } from './fuzz-random';

/**
 * A random upstream fault: error statuses (with and without Retry-After), HTML, hangs and delays
 * around the broker's timeout, truncated or token-less JSON, a 10 MB answer, refusals of the
 * credentials, and error bodies of free text carrying a secret. Or, often, no fault at all.
 */
export function randomFault(rng: FuzzRandom, freeText: string, upstreamTimeoutMs: number): SimulatorFault {
  return rng.weighted<() => SimulatorFault>([
    [30, () => ({ mode: 'none' })],
    [
      8,
      () => ({
        mode: 'status',
        status: rng.pick([500, 502, 503, 504, 429]),
        retryAfterSeconds: rng.chance(0.3) ? rng.int(1, 2) : undefined,
      }),
    ],
    [
      8,
      () => ({
        mode: 'status',
        status: rng.pick([400, 401, 403, 500, 503]),
        body: { error: freeText, error_description: freeText, message: freeText },
      }),
    ],
    [
      3,
      () => ({
        mode: 'status',
        status: rng.pick([400, 401]),
        body: { error: rng.pick(['invalid_client', 'invalid_grant', 'unauthorized_client']) },
      }),
    ],
    [3, () => ({ mode: 'status', status: 200, body: { error: freeText, access_token: 7 } })],
    [5, () => ({ mode: 'html', status: rng.pick([200, 502, 503]) })],
    [5, () => ({ mode: 'truncated-json' })],
    [4, () => ({ mode: 'empty' })],
    [4, () => ({ mode: 'no-token' })],
    [1, () => ({ mode: 'huge' })],
    [5, () => ({ mode: 'hang' })],
    [6, () => ({ mode: 'delay', ms: rng.int(0, upstreamTimeoutMs * 2) })],
  ])();
}

/** Switches each simulator's fault at random every 50-400 ms until stopped. */
export function switchFaultsAtRandom(
  rng: FuzzRandom,
  simulators: SimulatorServer[],
  freeText: string,
  upstreamTimeoutMs: number,
): { stop(): number } {
  let switches = 0;
  let timer: NodeJS.Timeout | undefined;
  const step = () => {
    for (const simulator of simulators) simulator.fault = randomFault(rng, freeText, upstreamTimeoutMs);
    switches += 1;
    timer = setTimeout(step, rng.int(50, 400));
  };
  step();
  return {
    stop: () => {
      clearTimeout(timer);
      for (const simulator of simulators) simulator.fault = { mode: 'none' };
      return switches;
    },
  };
}
