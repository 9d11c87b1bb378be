import { Module } from '@nestjs/common';
import { ConfigurableModuleClass } from './logging.module-definition';

/**
 * Structured JSON logs through pino for every Nest `Logger` call (StructuredLogger). The one line
 * per request is written by the HTTP layer, which knows the route and the request id.
 */
@Module({})
export class LoggingModule extends ConfigurableModuleClass {}
