import { BrokerError } from './broker-error';

/** Invalid startup configuration. The message is one line naming the variable or field. */
export class ConfigError extends BrokerError {
  readonly code = 'config_error';
}
