import { InvalidRequestError } from '@app/errors';

/** RFC 9110 11.1: the scheme is case-insensitive and followed by one or more spaces; credentials are visible ASCII. */
const BEARER = /^bearer +([\x21-\x7e]{1,1024})$/i;

/** The parts of a Fastify request the credential is read from. */
export interface AuthorizedRequest {
  headers: Record<string, string | string[] | undefined>;
  raw: { rawHeaders: string[] };
}

/**
 * The bearer credential a request carries, or undefined when there is none (no header, another
 * scheme, junk). Node keeps only the first of several Authorization headers, so they are counted in
 * the raw headers: two credentials are ambiguous, and a 400 says so.
 */
export function readBearerCredential(request: AuthorizedRequest): string | undefined {
  const raw = request.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') seen += 1;
  if (seen > 1) throw new InvalidRequestError('Send exactly one Authorization header');
  const header = request.headers.authorization;
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}
