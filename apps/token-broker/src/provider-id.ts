import { PROVIDER_ID_PATTERN } from '@app/config';
import { InvalidRequestError } from '@app/errors';

/** Rejects ids that could never be configured (path tricks, oversize) before any lookup. */
export function parseProviderId(value: string): string {
  if (!PROVIDER_ID_PATTERN.test(value)) {
    throw new InvalidRequestError('Provider id must be 1-63 characters: lowercase letters, digits, "-" and "_"');
  }
  return value;
}
