import type { OpenAPIObject } from '@nestjs/swagger';
import { getSchemaPath } from '@nestjs/swagger';
import { ERROR_MEANINGS, errorResponse } from './api-errors.decorator';
import { TokenBody } from './api-models';

/**
 * The token route is registered on Fastify directly (token-route.ts), so no decorator describes it:
 * its OpenAPI entry is written here, in the same terms as the controllers' entries.
 */
export function describeTokenRoute(document: OpenAPIObject): void {
  const errors = Object.fromEntries(
    [400, 401, 403, 404, 422, 429, 503].map((status) => [String(status), errorResponse(ERROR_MEANINGS[status])]),
  );
  document.paths['/tokens/{provider}'] = {
    get: {
      tags: ['tokens'],
      summary: 'A valid access token for the provider, from the shared store or refreshed first',
      operationId: 'getToken',
      security: [{ caller: [] }],
      parameters: [
        { name: 'provider', in: 'path', required: true, schema: { type: 'string' } },
        {
          name: 'minTtl',
          in: 'query',
          required: false,
          description: 'Seconds the token must still be valid (0 to 31536000)',
          schema: { type: 'string' },
        },
      ],
      responses: { '200': { description: '', content: { 'application/json': { schema: { $ref: getSchemaPath(TokenBody) } } } }, ...errors },
    },
  };
}
