import type { FastifyInstance } from 'fastify';
import { MethodNotAllowedError } from '@app/errors';

/**
 * Route config (`@RouteConfig(GET_ONLY)`) for GET routes with effects: Fastify answers HEAD on
 * every GET route by running the GET handler and dropping the body, which on the token route
 * would refresh a token and audit a handout nobody received.
 */
export const GET_ONLY = { getOnly: true };

/** Answers HEAD on GET_ONLY routes 405 (Allow: GET) before any guard or handler runs. */
export function refuseHeadOnGetOnlyRoutes(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    if (request.method === 'HEAD' && (request.routeOptions.config as { getOnly?: boolean }).getOnly)
      throw new MethodNotAllowedError(['GET']);
  });
}
