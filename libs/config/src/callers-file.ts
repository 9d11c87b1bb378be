import { ConfigError } from '@app/errors';
import { BrokerConfig, CallerConfig } from './broker-config';
import { describeFile, isRecord, parseConfigYaml, readConfigFile, refuseUnknownKeys } from './config-file';

const CALLER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const CALLER_FIELDS = ['keySha256', 'allow'];
const TOP_LEVEL_KEYS = ['callers'];

export type CallersFile = Pick<BrokerConfig, 'callers' | 'callersFileState'>;

/**
 * Reads CALLERS_FILE: who may fetch which tokens. A missing file, or one that lists no caller,
 * means every /tokens call is refused; a malformed one stops startup naming caller and field.
 */
export function loadCallersFile(path: string, providerIds: string[]): CallersFile {
  const file = { variable: 'CALLERS_FILE', path };
  const text = readConfigFile(file);
  if (text === undefined) return { callers: [], callersFileState: 'missing' };
  const doc = parseConfigYaml(file, text);
  if (doc === null || doc === undefined) return { callers: [], callersFileState: 'empty' };
  if (!isRecord(doc)) throw new ConfigError(`${describeFile(file)}: must be a map with the key "callers"`);
  refuseUnknownKeys(doc, TOP_LEVEL_KEYS, describeFile(file), 'top-level key');
  if (doc.callers === undefined || doc.callers === null) return { callers: [], callersFileState: 'empty' };
  if (!isRecord(doc.callers)) throw new ConfigError(`${describeFile(file)}: "callers" must be a map of caller name to settings`);
  const providers = new Set(providerIds);
  const callers = Object.entries(doc.callers).map(([name, raw]) => parseCaller(name, raw, providers, describeFile(file)));
  refuseSharedKeys(callers, describeFile(file));
  return { callers, callersFileState: callers.length === 0 ? 'empty' : 'listed' };
}

function parseCaller(name: string, raw: unknown, providers: Set<string>, definedIn: string): CallerConfig {
  const where = `${definedIn}: caller "${name}"`;
  if (!CALLER_NAME.test(name)) throw new ConfigError(`${where}: name must be 1-63 characters of letters, digits, . _ -`);
  if (!isRecord(raw)) throw new ConfigError(`${where}: settings must be a map with the fields ${CALLER_FIELDS.join(', ')}`);
  refuseUnknownKeys(raw, CALLER_FIELDS, where);
  if (typeof raw.keySha256 !== 'string' || !SHA256_HEX.test(raw.keySha256)) {
    throw new ConfigError(
      `${where}: field "keySha256" must be the lowercase hex SHA-256 of the caller's key (npm run cli -- callers new ${name})`,
    );
  }
  if (raw.allow === '*') return { name, keySha256: raw.keySha256, allow: '*' };
  if (!Array.isArray(raw.allow) || raw.allow.some((id) => typeof id !== 'string')) {
    throw new ConfigError(`${where}: field "allow" must be a list of provider ids or "*"`);
  }
  const unknown = (raw.allow as string[]).find((id) => !providers.has(id));
  if (unknown) throw new ConfigError(`${where}: field "allow" names provider "${unknown}", which PROVIDERS_FILE does not configure`);
  return { name, keySha256: raw.keySha256, allow: raw.allow as string[] };
}

/** One key per caller: a shared key makes the callers indistinguishable, and only one of them would be recognised. */
function refuseSharedKeys(callers: CallerConfig[], definedIn: string): void {
  const byHash = new Map<string, string>();
  for (const { name, keySha256 } of callers) {
    const other = byHash.get(keySha256);
    if (other !== undefined) {
      throw new ConfigError(
        `${definedIn}: callers "${other}" and "${name}" have the same field "keySha256": give each caller its own key (npm run cli -- callers new ${name})`,
      );
    }
    byHash.set(keySha256, name);
  }
}
