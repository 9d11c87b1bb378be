import type { FastifyInstance } from 'fastify';

/** Route config (`@RouteConfig(FORM_BODY)`) for the one route that takes an HTML form: the connect page's. */
export const FORM_BODY = { formBody: true };
/** One password field fits many times over. */
const FORM_BODY_LIMIT = 4096;

/**
 * Parses `application/x-www-form-urlencoded` bodies on FORM_BODY routes only: every other route
 * answers such a body 415, as it did before this parser existed. Each field's values are kept as a
 * list, so a field sent twice is seen as such.
 */
export function acceptFormBodiesOnFormRoutes(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (request, body, done) => {
      if (!(request.routeOptions.config as { formBody?: boolean }).formBody) {
        return done(
          Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
          undefined,
        );
      }
      const form = new URLSearchParams(body as string);
      done(null, Object.fromEntries([...new Set(form.keys())].map((name) => [name, form.getAll(name)])));
    },
  );
}
