import { ConfigError } from '@app/errors';

/**
 * PUBLIC_URL: the scheme, host and port browsers reach the broker at, e.g. https://broker.example.com.
 * The connect flow appends `/oauth/callback` to it for the redirect_uri every authorization server
 * compares exactly, so it carries no path, query, fragment or credentials; a trailing slash is dropped.
 */
export function parsePublicUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('PUBLIC_URL must be an http(s) URL like https://broker.example.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`PUBLIC_URL must use http or https (got "${url.protocol}")`);
  // the credentials are not repeated: they would be a secret
  if (url.username || url.password) throw new ConfigError('PUBLIC_URL must not carry a user name or password');
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(value)) {
    throw new ConfigError(`PUBLIC_URL must be an origin without path, query or fragment, like ${url.origin} (got "${value}")`);
  }
  return url.origin;
}
