import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorBody, TokenBody } from './api-models';
import { describeTokenRoute } from './token-route.openapi';

export const DOCS_PATH = 'docs';

/** OpenAPI 3 for every route at /docs (Swagger UI) and /docs-json, built from the controllers' decorators. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('token-broker')
    .setDescription('Internal services get valid upstream access tokens. Every error is `{"error": code, "message": text}`.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A caller key from CALLERS_FILE' }, 'caller')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'BROKER_ADMIN_TOKEN' }, 'admin')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBody, TokenBody] });
  describeTokenRoute(document);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, yamlDocumentUrl: `${DOCS_PATH}-yaml` });
}
