export { LoggingModule } from './logging.module';
export type { LoggingModuleOptions } from './logging.module-definition';
