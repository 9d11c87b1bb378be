import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry } from '@app/providers';
import { AppModule, type AppModuleOptions } from './app.module';
import { DOCS_PATH, setupOpenApi } from './openapi/setup-openapi';
import { observeRequests } from './request-observer';

/** Admin bodies are small JSON documents; anything bigger is refused before parsing. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** Long enough that an oversize provider id reaches our validation and gets a clear 400, not a bare 414. */
const MAX_PARAM_LENGTH = 4096;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

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
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // a caller's x-request-id is kept when it is sane, so audit lines join up with the caller's logs
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  // the only body the broker takes is an admin JSON document: Fastify's JSON parser stays, its text
  // parser goes, and Nest's form parser is never added (bodyParser: false), so any other type is a 415
  adapter.getInstance().removeContentTypeParser('text/plain');
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    if (request.url.startsWith(`/${DOCS_PATH}`) && !reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DOCS_CSP);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    // startup errors reach main.ts, which prints them as one line; until the logger is set up,
    // logs are held back (and dropped if startup fails, so the one line stays the only line)
    abortOnError: false,
    bodyParser: false,
    bufferLogs: true,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(Logger));
  observeRequests(adapter.getInstance(), app.get(BrokerMetrics), app.get(ProviderRegistry));
  setupOpenApi(app);
  app.flushLogs();
  app.enableShutdownHooks();
  return app;
}
