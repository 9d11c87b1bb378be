import { TEST_SECRETS } from './test-secrets';

/**
 * What the fuzz run's broker knows: its providers, its callers and their keys, and every secret
 * the run hands it, so the checks know what must never come back out.
 */
export const FUZZ_PROVIDERS = ['flaky', 'spare'] as const;
/** The provider the valid callers fetch: the fuzzer never deletes its credentials (that would be a person's decision). */
export const SERVED_PROVIDER = 'flaky';

export const DEMO_CLIENT = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };

/** Keys of the callers in the run's callers file; the valid callers' key is used by them alone. */
export const KEYS = {
  /** The interleaved valid callers (from 127.0.0.2): allowed everything. */
  valid: TEST_SECRETS.callerKey,
  /** The fuzzer's own caller, allowed a list (so odd ids take the list path). */
  fuzz: 'tbk_fuzz-caller-key-5a7e0c21d9',
  /** A caller allowed `spare` only: 403 on `flaky`. */
  narrow: 'tbk_fuzz-narrow-key-b38f61e4a0',
  admin: TEST_SECRETS.adminToken,
} as const;

/**
 * Free text the flaky upstream puts in its error bodies: a careless upstream repeating a secret.
 * It must reach no answer and no log line.
 */
export function upstreamFreeText(seed: number): string {
  return `bad secret ${TEST_SECRETS.wrongSecret} for demo-client (tb-fuzz-upstream-${seed.toString(16)}-leak)`;
}

/** Every value that must never appear in an answer or a log line. */
export function fuzzSecrets(seed: number): string[] {
  return [...Object.values(TEST_SECRETS), KEYS.fuzz, KEYS.narrow, upstreamFreeText(seed), `tb-fuzz-upstream-${seed.toString(16)}-leak`];
}
