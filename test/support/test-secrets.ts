/**
 * Every secret the e2e tests hand the broker. Global teardown greps the whole run's captured output
 * (test workers and spawned broker processes) for each of them: none may appear in a log line.
 */
export const TEST_SECRETS = {
  clientSecret: 'tb-test-client-secret-4d1e',
  passportalSecretKey: 'tb-test-passportal-secret-key-93ac',
  portfoleonApiKey: 'AKPF123,tb-test-portfoleon-api-key-5b20',
  vaultClientSecret: 'tb-test-vault-client-secret-7f3a',
  passolutionSecret: 'tb-test-passolution-secret-c871',
  adminToken: 'tb-test-admin-token-0123456789',
  callerKey: 'tbk_test-caller-key-e51b9c',
} as const;

/** Tokens the simulators issue have these shapes; a broker log line must never contain one. */
export const ISSUED_TOKEN_PATTERNS = [/\b(?:sd|pf|oa|pp|pa)-[0-9a-f]{24}\b/, /\bdef[0-9a-f]{32}\b/];
