import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, type Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { bufferedStdout, createBrokerLogger } from './broker-logger';

export interface LoggingModuleOptions {
  /** Where log lines go; buffered standard output when omitted. */
  destination?: DestinationStream;
  /**
   * The controllers whose requests get a request-scoped logger (lines carry the request id). Only
   * these: Nest runs its middleware on every request it matches, and the hot path (a plain Fastify
   * route whose one line carries the request id anyway) must not pay for it.
   */
  forRoutes: Type[];
}

const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** Writes out what the buffer still holds once the HTTP server has answered its last request. */
@Injectable()
class LogFlusher implements OnApplicationShutdown {
  constructor(@Inject(LOG_DESTINATION) private readonly destination: DestinationStream & { flushSync?(): void }) {}

  onApplicationShutdown(): void {
    this.destination.flushSync?.();
  }
}

/**
 * Structured JSON logs through pino for every Nest `Logger` call. Lines logged while a request is
 * handled carry its `reqId`. The one line per request is written by the HTTP layer (it knows the
 * route), so pino-http's own request logging is off and it never serializes request headers.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingModuleOptions): DynamicModule {
    const destination = options.destination ?? bufferedStdout();
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({
            forRoutes: options.forRoutes,
            pinoHttp: {
              logger: createBrokerLogger(config.logLevel, destination),
              autoLogging: false,
              quietReqLogger: true,
              quietResLogger: true,
              serializers: { req: () => undefined, res: () => undefined },
            },
          }),
        }),
      ],
      providers: [{ provide: LOG_DESTINATION, useValue: destination }, LogFlusher],
      exports: [LoggerModule],
    };
  }
}
