/**
 * Every header and body field name that can carry a secret in this system: caller and admin
 * bearer tokens, Passportal's signed headers, OAuth2 secrets and tokens, API keys, Vault
 * AppRole secrets. The broker never logs these on purpose; redaction is the net under that rule.
 */
export const SECRET_FIELDS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-hash',
  'x-key',
  'x-api-key',
  'x-vault-token',
  'client_secret',
  'clientSecret',
  'refresh_token',
  'refreshToken',
  'access_token',
  'accessToken',
  'id_token',
  'api_key',
  'apiKey',
  'secret_key',
  'secretKey',
  'secret_id',
  'secretId',
  'password',
  'token',
  'b64token',
  'secret',
  'values',
  'credentials',
];
