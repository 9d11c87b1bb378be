import { Module } from '@nestjs/common';
import { ConfigurableModuleClass } from './logging.module-definition';

/**
 * Structured JSON logs through pino for every Nest `Logger` call. Lines logged while a request is
 * handled carry its `reqId`. The one line per request is written by the HTTP layer (it knows the
 * route), so pino-http's own request logging is off and it never serializes request headers.
 */
@Module({})
export class LoggingModule extends ConfigurableModuleClass {}
