export { TokenBrokerClient, type TokenBrokerClientOptions, type TokenOptions } from './token-broker-client';
export type { BrokerToken } from './broker-request';
export { TokenBrokerError, type TokenBrokerFailure } from './token-broker.error';
