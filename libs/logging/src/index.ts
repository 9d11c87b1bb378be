export { LoggingModule, type LoggingModuleOptions } from './logging.module';
