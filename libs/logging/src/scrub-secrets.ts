import { SECRET_FIELDS } from './secret-fields';

const SECRET_KEYS = new Set(SECRET_FIELDS.map((field) => field.toLowerCase()));
/** A field's value is replaced at the top level and up to three objects deep (`req.headers.authorization`). */
const MAX_DEPTH = 3;
export const CENSOR = '[redacted]';

/**
 * Masks every field whose name can carry a secret. Copies only the objects on the way to a masked
 * field, and returns the very same object when there is nothing to mask: a log line costs a walk of
 * its own keys, where compiled redaction paths with wildcards cost far more per line.
 */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const scrubbed = scrubSecrets(item, depth + 1);
      changed ||= scrubbed !== item;
      return scrubbed;
    });
    return (changed ? items : value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const current = (value as Record<string, unknown>)[key];
    const scrubbed = isSecretName(key) ? CENSOR : scrubSecrets(current, depth + 1);
    if (scrubbed !== current) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = scrubbed;
    }
  }
  return (copy ?? value) as T;
}

/** Field names mostly come from code, a few hundred at most: each is lowercased and looked up once. */
const secretNames = new Map<string, boolean>();
const REMEMBERED_NAMES = 1_000;

/** Whether a field of this name (any case) can carry a secret. */
export function isSecretName(name: string): boolean {
  let secret = secretNames.get(name);
  if (secret === undefined) {
    secret = SECRET_KEYS.has(name.toLowerCase());
    if (secretNames.size < REMEMBERED_NAMES) secretNames.set(name, secret);
  }
  return secret;
}
