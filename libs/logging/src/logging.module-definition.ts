import { ConfigurableModuleBuilder, RequestMethod } from '@nestjs/common';
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
   * Routes that get no request-scoped logger (no per-request child logger and async context): the
   * hot path, whose lines are written by the HTTP layer with the request id in them.
   */
  exclude?: Array<{ method: RequestMethod; path: string }>;
}

const LOGGING_OPTIONS = Symbol('LOGGING_OPTIONS');

export const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<LoggingModuleOptions>({ optionsInjectionToken: LOGGING_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<LoggingModuleExtras>({ destination: undefined, exclude: undefined }, (definition, extras) => {
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
            exclude: extras.exclude,
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
