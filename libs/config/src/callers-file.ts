import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '@app/errors';
import { CallerConfig } from './broker-config';

const CALLER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Reads CALLERS_FILE: who may fetch which tokens. A missing file means no caller is configured
 * (every /tokens call is refused); a malformed one stops startup naming caller and field.
 */
export function loadCallersFile(path: string, providerIds: string[]): { callers: CallerConfig[]; fileMissing: boolean } {
  if (!existsSync(path)) return { callers: [], fileMissing: true };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`CALLERS_FILE ${path} cannot be read as YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const callers = (doc as { callers?: unknown } | null)?.callers;
  if (callers === undefined || callers === null) return { callers: [], fileMissing: false };
  if (typeof callers !== 'object' || Array.isArray(callers)) throw new ConfigError(`CALLERS_FILE: "callers" must be a map of caller name to settings`);
  return { callers: Object.entries(callers).map(([name, raw]) => parseCaller(name, raw, new Set(providerIds))), fileMissing: false };
}

function parseCaller(name: string, raw: unknown, providers: Set<string>): CallerConfig {
  const where = `CALLERS_FILE: caller "${name}"`;
  if (!CALLER_NAME.test(name)) throw new ConfigError(`${where}: name must be 1-63 characters of letters, digits, . _ -`);
  const settings = (raw ?? {}) as { keySha256?: unknown; allow?: unknown };
  if (typeof settings.keySha256 !== 'string' || !SHA256_HEX.test(settings.keySha256)) {
    throw new ConfigError(`${where}: field "keySha256" must be the lowercase hex SHA-256 of the caller's key (npm run cli -- callers new ${name})`);
  }
  if (settings.allow === '*') return { name, keySha256: settings.keySha256, allow: '*' };
  if (!Array.isArray(settings.allow) || settings.allow.some((id) => typeof id !== 'string')) {
    throw new ConfigError(`${where}: field "allow" must be a list of provider ids or "*"`);
  }
  const unknown = (settings.allow as string[]).find((id) => !providers.has(id));
  if (unknown) throw new ConfigError(`${where}: field "allow" names provider "${unknown}", which PROVIDERS_FILE does not configure`);
  return { name, keySha256: settings.keySha256, allow: settings.allow as string[] };
}
