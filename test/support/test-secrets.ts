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
  adminToken: 'tb-test-admin-token-0123456789abcdef7e21',
  callerKey: 'tbk_test-caller-key-e51b9c',
  /** Client secrets registered at the real authorization server (oidc-provider) of the e2e tests. */
  idpClientSecret: 'tb-test-idp-client-secret-6a1f',
  idpConnectSecret: 'tb-test-idp-connect-secret-d84e',
  /** The Sentinel and Cluster test topologies' data-node and sentinel passwords. */
  redisPassword: 'tb-test-redis-password-61f0',
  redisSentinelPassword: 'tb-test-redis-sentinel-password-a94e',
  /** A wrong secret tests hand in on purpose: refused upstream, and still never logged. */
  wrongSecret: 'tb-test-wrong-secret-2c9d',
} as const;

/** Tokens the simulators issue have these shapes; a broker log line must never contain one. */
export const ISSUED_TOKEN_PATTERNS = [
  /\b(?:sd|pf|oa|pp|pa)-[0-9a-f]{24}\b/,
  /\bdef[0-9a-f]{32}\b/,
  // Portfoleon's signed token (header {"alg":"HS256",...}) and its base64 form, the b64token callers get
  /\beyJhbGciOiJIUzI1NiIs[\w-]{20,}\.[\w-]+\.[\w-]+/,
  /\bZXlKaGJHY2lPaUpJVXpJMU5pSXNJ[A-Za-z0-9+/]{40,}/,
];
