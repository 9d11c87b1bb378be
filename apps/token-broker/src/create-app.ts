import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry } from '@app/providers';
import { AppModule, type AppModuleOptions } from './app.module';
import { acceptFormBodiesOnFormRoutes } from './connect-form-body';
import { limitConnections } from './connection-limiter';
import { refuseHeadOnGetOnlyRoutes } from './head-refusal';
import { httpServerOptions, refuseRequestsWithoutHost, refuseUnmetExpectations } from './http-server-options';
import { DOCS_PATH, setupOpenApi } from './openapi/setup-openapi';
import { observeRequests } from './request-observer';
import { TokenRoute } from './token-route';

/** Conservative headers on every answer unless a route set its own (the status page needs inline CSS). */
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};
/** Swagger UI loads its scripts and styles from /docs/ and uses inline styles. */
const DOCS_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/** The broker as an HTTP application, not yet listening. Used by main.ts and by the e2e tests. */
export async function createApp(options: AppModuleOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter(httpServerOptions());
  // the only body the broker takes is an admin JSON document: Fastify's JSON parser stays, its text
  // parser goes, and Nest's form parser is never added (bodyParser: false), so any other type is a 415
  adapter.getInstance().removeContentTypeParser('text/plain');
  acceptFormBodiesOnFormRoutes(adapter.getInstance()); // the connect page's form, and no other route
  refuseHeadOnGetOnlyRoutes(adapter.getInstance());
  refuseRequestsWithoutHost(adapter.getInstance());
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    if (request.url.startsWith(`/${DOCS_PATH}`) && !reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', DOCS_CSP);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    // startup errors reach main.ts, which prints them as one line; logs are held back until the
    // port is open (and dropped if startup fails, so that line stays the only line)
    abortOnError: false,
    bodyParser: false,
    bufferLogs: true,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(Logger));
  limitConnections(adapter.getInstance().server);
  refuseUnmetExpectations(adapter.getInstance().server);
  observeRequests(adapter.getInstance(), app.get(BrokerMetrics), app.get(ProviderRegistry));
  app.get(TokenRoute).register(adapter.getInstance());
  setupOpenApi(app);
  // module init (provider types, credential store) runs in listen(): it can still fail after this
  adapter.getInstance().addHook('onListen', (done) => {
    app.flushLogs();
    done();
  });
  app.enableShutdownHooks();
  return app;
}
