import { getMetadataStorage } from 'class-validator';
import { Environment } from '../../libs/config/src/environment';

/**
 * Every environment variable the broker accepts, read from the config lib's own validation rules
 * (each variable there carries at least @IsOptional), so a new or renamed variable needs no copy here.
 */
export function brokerEnvironmentVariables(): Set<string> {
  const rules = getMetadataStorage().getTargetValidationMetadatas(Environment, '', true, false);
  return new Set(rules.map((rule) => rule.propertyName));
}
