import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { createBrokerLogger } from './broker-logger';

export interface LoggingModuleOptions {
  /** Where log lines go; stdout when omitted. */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs through pino for every Nest `Logger` call. Lines logged while a request is
 * handled carry its `reqId`. The one line per request is written by the HTTP layer (it knows the
 * route), so pino-http's own request logging is off and it never serializes request headers.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingModuleOptions = {}): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [BROKER_CONFIG],
          useFactory: (config: BrokerConfig) => ({
            pinoHttp: {
              logger: createBrokerLogger(config.logLevel, options.destination),
              autoLogging: false,
              quietReqLogger: true,
              quietResLogger: true,
              serializers: { req: () => undefined, res: () => undefined },
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
