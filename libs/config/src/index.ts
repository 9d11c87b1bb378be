export { ConfigModule, BROKER_CONFIG } from './config.module';
export type { ConfigModuleOptions } from './config.module-definition';
export type {
  AlertsConfig,
  BrokerConfig,
  CallerConfig,
  ClusterRedisConfig,
  CredentialStoreConfig,
  FileCredentialStoreConfig,
  MasterKeyConfig,
  VaultCredentialStoreConfig,
  ProviderInstanceConfig,
  RedisConfig,
  RedisNodeAddress,
  RefreshBefore,
  SentinelRedisConfig,
  SingleRedisConfig,
} from './broker-config';
export { readConfigFile } from './config-file';
export { loadBrokerConfig } from './load-broker-config';
export { COMMON_PROVIDER_FIELDS, parseHttpUrl, PROVIDER_ID_PATTERN } from './providers-file';
