import type { LogLevel } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { BROKER_CONFIG, type BrokerConfig, type ConfigModuleOptions } from '@app/config';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry } from '@app/providers';
import { AppModule } from './app.module';

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

const LOG_LEVELS: Record<BrokerConfig['logLevel'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** The broker as an HTTP application, not yet listening. Used by main.ts and by the e2e tests. */
export async function createApp(options: ConfigModuleOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // a caller's x-request-id is kept when it is sane, so audit lines join up with the caller's logs
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    // startup errors reach main.ts, which prints them as one line; until the logger is set up,
    // logs are held back (and dropped if startup fails, so the one line stays the only line)
    abortOnError: false,
    bufferLogs: true,
    autoFlushLogs: false,
  });
  countRequests(adapter, app.get(BrokerMetrics), app.get(ProviderRegistry));
  app.useLogger(LOG_LEVELS[app.get<BrokerConfig>(BROKER_CONFIG).logLevel]);
  app.flushLogs();
  app.enableShutdownHooks();
  return app;
}

/** One counter per answered request; unknown provider ids share one label so callers cannot grow the series. */
function countRequests(adapter: FastifyAdapter, metrics: BrokerMetrics, providers: ProviderRegistry): void {
  adapter.getInstance().addHook('onResponse', async (request, reply) => {
    const provider = (request.params as { provider?: string } | undefined)?.provider;
    metrics.requests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      provider: provider === undefined ? '' : providers.has(provider) ? provider : 'unknown',
      status: String(reply.statusCode),
    });
  });
}
