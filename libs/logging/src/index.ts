export { LoggingModule } from './logging.module';
export type { LoggingModuleOptions } from './logging.module-definition';
export { StructuredLogger } from './structured-logger.service';
export { RequestLineWriter, type RequestLineFields } from './request-line-writer.service';
