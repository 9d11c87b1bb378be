export { ProvidersModule } from './providers.module';
export type { ProvidersModuleOptions } from './providers.module-definition';
export { ProviderRegistry } from './core/provider-registry.service';
export type { IssuedToken, ProviderInstance, TokenClient, TokenRequest } from './core/provider-type';
export type { AuthorizationCodeFlow, AuthorizationRequest, CodeExchange } from './oauth2/authorization-code-grant';
export type { OAuth2Grant } from './oauth2/oauth2-token-endpoint';
