import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { bufferedStdout, createBrokerLogger, type BrokerLogLevel } from './broker-logger';
import { LOG_DESTINATION, LogFlusher } from './log-flusher';

export interface LoggingModuleOptions {
  level: BrokerLogLevel;
}

/** Where lines go and which routes are left alone: wiring known when the module is imported, not configuration. */
export interface LoggingModuleExtras {
  /** Where log lines go; buffered standard output when omitted. */
  destination?: DestinationStream;
  /**
   * The controllers whose requests get a request-scoped logger (lines carry the request id). Only
   * these: Nest runs its middleware on every request it matches, and the hot path (a plain Fastify
   * route whose one line carries the request id anyway) must not pay for it.
   */
  forRoutes?: Type[];
}

const LOGGING_OPTIONS = Symbol('LOGGING_OPTIONS');

export const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<LoggingModuleOptions>({ optionsInjectionToken: LOGGING_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<LoggingModuleExtras>({ destination: undefined, forRoutes: undefined }, (definition, extras) => {
    const destination = extras.destination ?? bufferedStdout();
    return {
      ...definition,
      imports: [
        LoggerModule.forRootAsync({
          // the options provider again, inside nestjs-pino's module: its factory can only inject from there
          imports: definition.imports,
          providers: definition.providers,
          inject: [LOGGING_OPTIONS],
          useFactory: (options: LoggingModuleOptions) => ({
            forRoutes: extras.forRoutes,
            pinoHttp: {
              logger: createBrokerLogger(options.level, destination),
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
  })
  .build();
