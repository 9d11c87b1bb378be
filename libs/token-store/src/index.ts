export { TokenStoreModule } from './token-store.module';
export { TOKEN_STORE, InjectTokenStore, type PendingCredentials, type ProviderStatus, type StoredToken, type TokenStore } from './token-store';
