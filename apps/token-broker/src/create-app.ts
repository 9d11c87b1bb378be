import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { BROKER_CONFIG, type BrokerConfig, type ConfigModuleOptions } from '@app/config';
import { AppModule } from './app.module';

/** Admin bodies are small JSON documents; anything bigger is refused before parsing. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** Long enough that an oversize provider id reaches our validation and gets a clear 400, not a bare 414. */
const MAX_PARAM_LENGTH = 4096;

const LOG_LEVELS: Record<BrokerConfig['logLevel'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** The broker as an HTTP application, not yet listening. Used by main.ts and by the e2e tests. */
export async function createApp(options: ConfigModuleOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } }), {
    // startup errors reach main.ts, which prints them as one line; until the logger is set up,
    // logs are held back (and dropped if startup fails, so the one line stays the only line)
    abortOnError: false,
    bufferLogs: true,
    autoFlushLogs: false,
  });
  app.useLogger(LOG_LEVELS[app.get<BrokerConfig>(BROKER_CONFIG).logLevel]);
  app.flushLogs();
  app.enableShutdownHooks();
  return app;
}
