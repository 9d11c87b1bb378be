import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProviderRegistry } from './core/provider-registry.service';
import { UpstreamHttpClient } from './core/upstream-http-client';
import { OAuth2ClientCredentialsProviderType } from './oauth2-client-credentials/oauth2-client-credentials.provider-type';
import { PassolutionProviderType } from './passolution/passolution.provider-type';
import { PassportalProviderType } from './passportal/passportal.provider-type';
import { PortfoleonProviderType } from './portfoleon/portfoleon.provider-type';
import { PassportFintechProviderType } from './passport-fintech/passport-fintech.provider-type';
import { SmartDocumentorProviderType } from './smartdocumentor/smartdocumentor.provider-type';

/** Every provider type the broker knows. Adding a provider = a new folder + one line here. */
const PROVIDER_TYPES = [
  SmartDocumentorProviderType,
  PassportFintechProviderType,
  OAuth2ClientCredentialsProviderType,
  PassolutionProviderType,
  PassportalProviderType,
  PortfoleonProviderType,
];

@Module({
  imports: [DiscoveryModule],
  providers: [UpstreamHttpClient, ProviderRegistry, ...PROVIDER_TYPES],
  exports: [ProviderRegistry],
})
export class ProvidersModule {}
