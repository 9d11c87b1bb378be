export { SimulatorServer, type SimulatorFault, type SimulatorOptions } from './simulator-server';
export { IssuedTokens } from './issued-tokens';
export { SmartDocumentorSimulator } from '../presets/testing/smartdocumentor.simulator';
export { PassportFintechSimulator } from '../presets/testing/passport-fintech.simulator';
export { OAuth2ClientCredentialsSimulator } from '../oauth2-client-credentials/testing/oauth2-client-credentials.simulator';
export { PassolutionSimulator, type RefreshTokenReport } from '../oauth2-refresh-token/testing/oauth2-refresh-token.simulator';
export { PassportalSimulator } from '../passportal/testing/passportal.simulator';
export { PortfoleonSimulator, type PortfoleonSimulatorOptions } from '../portfoleon/testing/portfoleon.simulator';
