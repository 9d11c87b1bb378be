export { ProvidersModule } from './providers.module';
export { ProviderRegistry } from './core/provider-registry.service';
export type { IssuedToken, ProviderInstance, TokenClient, TokenRequest } from './core/provider-type';
