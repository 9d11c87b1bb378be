import { Inject, Injectable, type LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** A stack trace as Nest's own exception handlers pass it, in the place of a context. */
const STACK_TRACE = /\n\s*at /;

/**
 * Nest's `LoggerService` on pino: every `Logger` call is one JSON line, its context under
 * `context`. No request middleware and no async-context tracking: those cost every request (the
 * token route included) and the one line per request (RequestLineWriter) already carries the request id.
 */
@Injectable()
export class StructuredLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes the context last: `log(message, context)`, `error(message, stack, context)`. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const context = params.length > 0 ? params[params.length - 1] : undefined;
    if (typeof context === 'string') fields.context = context;
    const stack = params.length > 1 ? params[0] : undefined;
    if (message instanceof Error) fields.err = message;
    else if (typeof message === 'object' && message !== null) Object.assign(fields, message);
    else if (typeof stack === 'string' && STACK_TRACE.test(stack)) fields.err = Object.assign(new Error(String(message)), { stack });
    // with an error and no message, pino takes the error's message as the line's
    if (typeof message === 'string' && fields.err === undefined) this.root[level](fields, message);
    else this.root[level](fields);
  }
}
