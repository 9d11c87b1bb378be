import { ProviderPreset } from './core/provider-preset';
import { ProviderTypeDefinition } from './core/provider-type';
import { oauth2ClientCredentials } from './oauth2-client-credentials/oauth2-client-credentials.provider-type';
import { oauth2RefreshToken } from './oauth2-refresh-token/oauth2-refresh-token.provider-type';
import { passportal } from './passportal/passportal.provider-type';
import { portfoleon } from './portfoleon/portfoleon.provider-type';
import { passolution } from './presets/passolution.preset';
import { passportFintech } from './presets/passport-fintech.preset';
import { smartdocumentor } from './presets/smartdocumentor.preset';

/**
 * Every `type:` a providers file may name, each registered here and nowhere else. A new mechanism
 * is a folder with its type; a new upstream served by an existing type is a preset file.
 */
export const PROVIDER_CATALOG: ReadonlyArray<ProviderTypeDefinition | ProviderPreset> = [
  oauth2ClientCredentials,
  oauth2RefreshToken,
  passportal,
  portfoleon,
  smartdocumentor,
  passportFintech,
  passolution,
];
