import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { bufferedStdout, createBrokerLogger, type BrokerLogLevel } from './broker-logger';
import { LOG_DESTINATION, LogFlusher } from './log-flusher';
import { RequestLineWriter } from './request-line-writer.service';
import { ROOT_LOGGER, StructuredLogger } from './structured-logger.service';

export interface LoggingModuleOptions {
  level: BrokerLogLevel;
}

/** Where lines go: wiring known when the module is imported, not configuration. */
export interface LoggingModuleExtras {
  /** Where log lines go; buffered standard output when omitted. */
  destination?: DestinationStream;
}

const LOGGING_OPTIONS = Symbol('LOGGING_OPTIONS');

export const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<LoggingModuleOptions>({ optionsInjectionToken: LOGGING_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<LoggingModuleExtras>({ destination: undefined }, (definition, extras) => ({
    ...definition,
    global: true,
    providers: [
      ...(definition.providers ?? []),
      { provide: LOG_DESTINATION, useFactory: () => extras.destination ?? bufferedStdout() },
      {
        provide: ROOT_LOGGER,
        inject: [LOGGING_OPTIONS, LOG_DESTINATION],
        useFactory: (options: LoggingModuleOptions, destination: DestinationStream) => createBrokerLogger(options.level, destination),
      },
      StructuredLogger,
      RequestLineWriter,
      LogFlusher,
    ],
    exports: [StructuredLogger, RequestLineWriter],
  }))
  .build();
