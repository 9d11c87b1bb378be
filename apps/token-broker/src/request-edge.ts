import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError, MethodNotAllowedError } from '@app/errors';
import { sendError } from './error-response';
import { DOCS_PATH } from './openapi/setup-openapi';

/** Conservative headers on every answer; a route that needs others sets its own (the status page's inline CSS). */
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};
/** Swagger UI loads its scripts and styles from /docs/ and uses inline styles. */
const DOCS_HEADERS: Record<string, string> = {
  ...SECURITY_HEADERS,
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};
const DOCS_PREFIX = `/${DOCS_PATH}`;

/** Route config (`@RouteConfig(GET_ONLY)`) for GET routes with effects: see guardEveryRequest. */
export const GET_ONLY = { getOnly: true };

/** The security headers and the request id, on an answer given before any hook ran (a URL Fastify could not route). */
export function setEdgeHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(request.url.startsWith(DOCS_PREFIX) ? DOCS_HEADERS : SECURITY_HEADERS);
  reply.header('x-request-id', request.id);
}

/**
 * The first and only hook every request passes (one callback, not one promise per check: this runs
 * on the token route too). It sets the answer's security headers and request id up front, where
 * any route may still override them, and refuses two requests before any guard or handler runs:
 * - HEAD on GET_ONLY routes, 405 (Allow: GET): Fastify answers HEAD on every GET route by running
 *   the GET handler and dropping the body, which on the token route would refresh a token and
 *   audit a handout nobody received;
 * - an HTTP/1.1 request without Host (RFC 9112 3.2), 400 in the broker's shape: Node's own
 *   refusal is a bare 400, so the server is told not to require it (http-server-options.ts).
 */
export function guardEveryRequest(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    setEdgeHeaders(request, reply);
    if (request.method === 'HEAD' && (request.routeOptions.config as { getOnly?: boolean }).getOnly) {
      return done(new MethodNotAllowedError(['GET']));
    }
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      return void sendError(reply, new InvalidRequestError('Send a Host header'));
    }
    done();
  });
}
