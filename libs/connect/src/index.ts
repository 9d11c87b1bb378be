export { ConnectModule } from './connect.module';
export type { ConnectModuleOptions } from './connect.module-definition';
export { ConnectService, CALLBACK_PATH, type AuthorizationCallback, type Connected } from './connect.service';
