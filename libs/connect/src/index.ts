export { ConnectModule } from './connect.module';
export { ConnectService, CALLBACK_PATH, type AuthorizationCallback, type Connected } from './connect.service';
