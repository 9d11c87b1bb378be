export { BrokerError } from './broker-error';
export { ConfigError } from './config-error';
export { AuthorizationDeniedError, CodeExchangeFailedError, ConnectStateInvalidError, ConnectUnavailableError } from './connect-errors';
export {
  AdminDisabledError,
  CallerRateLimitedError,
  CredentialsNotFoundError,
  ForbiddenError,
  InvalidCredentialsInputError,
  InvalidRequestError,
  MethodNotAllowedError,
  TooManyFailedAuthenticationsError,
  TtlUnattainableError,
  UnauthorizedError,
  UnknownProviderError,
} from './request-errors';
export { CredentialsMissingError, ReauthorizationRequiredError, UpstreamUnavailableError } from './provider-errors';
export {
  CredentialConflictError,
  CredentialStoreCorruptError,
  CredentialStoreUnavailableError,
  LockUnavailableError,
  NotReadyError,
  OutboxUnreadableError,
  TokenStoreUnavailableError,
  TokenStoreUnreachableError,
} from './store-errors';
export { UpstreamError, type UpstreamFailureKind, type UpstreamReason } from './upstream-error';
