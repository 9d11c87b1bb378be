import { OptionReader } from '../core/option-reader';

export type OAuth2BodyFormat = 'json' | 'form';
/** `body`: client_id/client_secret as parameters; `basic`: an Authorization header (RFC 6749 2.3.1). */
export type OAuth2ClientAuth = 'body' | 'basic';

/** The providers-file fields every OAuth2 type reads the same way. */
export interface OAuth2EndpointSettings {
  tokenUrl: string;
  scope?: string;
  bodyFormat: OAuth2BodyFormat;
  clientAuth: OAuth2ClientAuth;
  /** Seconds; assumed when an answer has neither `expires_in` nor a JWT access token with `exp`. */
  defaultLifetime: number;
  /** Extra request headers, names in lower case (e.g. `accept-language`). */
  headers: Record<string, string>;
}

/** Set by the client itself: a configured value would break authentication or the body. */
const RESERVED_HEADERS = new Set(['authorization', 'content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function readOAuth2Settings(reader: OptionReader, fallbackLifetime = 3600): OAuth2EndpointSettings {
  const headers = reader.stringMap('headers', (name, value) => {
    if (!HEADER_NAME.test(name)) return 'is not a header name';
    if (RESERVED_HEADERS.has(name.toLowerCase())) return 'is set by the broker itself';
    return /[\0\r\n]/.test(value) ? 'must be a single line' : undefined;
  });
  return {
    tokenUrl: reader.url('tokenUrl'),
    scope: reader.optionalString('scope'),
    bodyFormat: reader.oneOf('bodyFormat', ['form', 'json'] as const, 'form'),
    clientAuth: reader.oneOf('auth', ['body', 'basic'] as const, 'body'),
    defaultLifetime: reader.positiveInt('defaultLifetime', fallbackLifetime),
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
  };
}
