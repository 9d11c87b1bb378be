export { SimulatorServer, type SimulatorFault, type SimulatorOptions } from './simulator-server';
export { IssuedTokens } from './issued-tokens';
export {
  OAuth2ClientCredentialsSimulator,
  type ClientCredentialsSimulatorOptions,
} from '../oauth2-client-credentials/testing/oauth2-client-credentials.simulator';
export {
  OAuth2RefreshTokenSimulator,
  type RefreshAnswerShape,
  type RefreshTokenSimulatorOptions,
} from '../oauth2-refresh-token/testing/oauth2-refresh-token.simulator';
export type { RefreshTokenReport } from '../oauth2-refresh-token/testing/refresh-token-chain';
export { PassportalSimulator } from '../passportal/testing/passportal.simulator';
export { PortfoleonSimulator, type PortfoleonSimulatorOptions } from '../portfoleon/testing/portfoleon.simulator';
export { PassolutionSimulator } from '../presets/testing/passolution.simulator';
export { PassportFintechSimulator } from '../presets/testing/passport-fintech.simulator';
export { SmartDocumentorSimulator } from '../presets/testing/smartdocumentor.simulator';
