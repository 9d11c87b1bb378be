export { TokenStoreModule } from './token-store.module';
export { TOKEN_STORE, InjectTokenStore, type OutboxEntry, type ProviderStatus, type StoredToken, type TokenStore } from './token-store';
