import { Module } from '@nestjs/common';
import { ProviderRegistry } from './core/provider-registry.service';
import { UpstreamHttpClient } from './core/upstream-http-client';
import { ConfigurableModuleClass } from './providers.module-definition';

/** The configured provider instances (see PROVIDER_CATALOG for the types they can be). */
@Module({
  providers: [UpstreamHttpClient, ProviderRegistry],
  exports: [ProviderRegistry],
})
export class ProvidersModule extends ConfigurableModuleClass {}
