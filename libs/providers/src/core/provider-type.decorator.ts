import { Injectable, SetMetadata, applyDecorators } from '@nestjs/common';

export const PROVIDER_TYPE_METADATA = Symbol('token-broker:provider-type');

/** Marks a class as a provider type so ProviderRegistry discovers it. */
export const ProviderType = (): ClassDecorator =>
  applyDecorators(Injectable(), SetMetadata(PROVIDER_TYPE_METADATA, true));
