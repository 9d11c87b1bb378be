export { SimulatorServer, type SimulatorFault, type SimulatorOptions } from './simulator-server';
export { IssuedTokens } from './issued-tokens';
export { SmartDocumentorSimulator } from '../smartdocumentor/smartdocumentor.simulator';
export { PassportFintechSimulator } from '../passport-fintech/passport-fintech.simulator';
export { OAuth2ClientCredentialsSimulator } from '../oauth2-client-credentials/oauth2-client-credentials.simulator';
export { PassolutionSimulator, type RefreshTokenReport } from '../passolution/passolution.simulator';
export { PassportalSimulator } from '../passportal/passportal.simulator';
export { PortfoleonSimulator, type PortfoleonSimulatorOptions } from '../portfoleon/portfoleon.simulator';
