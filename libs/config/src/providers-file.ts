import { ConfigError } from '@app/errors';
import { ProviderInstanceConfig, RefreshBefore } from './broker-config';
import { ConfigFile, describeFile, isRecord, parseConfigYaml, readConfigFile, refuseUnknownKeys } from './config-file';

/** Provider ids appear in URLs and Redis keys: keep them to a safe, short alphabet. */
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const DEFAULT_REFRESH_BEFORE: RefreshBefore = { kind: 'percent', value: 20 };
/** Fields every provider instance may set; the rest belong to its type, which checks them. */
export const COMMON_PROVIDER_FIELDS: readonly string[] = ['type', 'baseUrl', 'refreshBefore', 'requestsPerMinute'];
const TOP_LEVEL_KEYS = ['providers'];

/** Reads and checks the generic shape of PROVIDERS_FILE. Type-specific fields are checked by each provider type. */
export function loadProvidersFile(path: string): ProviderInstanceConfig[] {
  const file = { variable: 'PROVIDERS_FILE', path };
  const text = readConfigFile(file);
  if (text === undefined) throw new ConfigError(`${describeFile(file)} does not exist`);
  return parseProvidersYaml(text, file);
}

export function parseProvidersYaml(
  text: string,
  file: ConfigFile = { variable: 'PROVIDERS_FILE', path: 'providers.yaml' },
): ProviderInstanceConfig[] {
  const doc = parseConfigYaml(file, text);
  if (doc === null || doc === undefined) return [];
  if (!isRecord(doc)) throw new ConfigError(`${describeFile(file)}: must be a map with the key "providers"`);
  // a typo here ("provider:") would otherwise start a broker that serves nothing
  refuseUnknownKeys(doc, TOP_LEVEL_KEYS, describeFile(file), 'top-level key');
  const providers = doc.providers;
  if (providers === undefined || providers === null) return [];
  if (!isRecord(providers)) throw new ConfigError(`${describeFile(file)}: "providers" must be a map of provider id to settings`);
  const definedIn = describeFile(file); // one string for every instance, not one each
  return Object.entries(providers).map(([id, raw]) => parseInstance(id, raw, definedIn));
}

function parseInstance(id: string, raw: unknown, definedIn: string): ProviderInstanceConfig {
  const where = `${definedIn}: provider "${id}"`;
  if (!PROVIDER_ID_PATTERN.test(id)) {
    throw new ConfigError(`${where}: id must match ${PROVIDER_ID_PATTERN} (lowercase letters, digits, - and _)`);
  }
  if (!isRecord(raw)) throw new ConfigError(`${where}: settings must be a map`);
  if (typeof raw.type !== 'string' || raw.type === '') throw new ConfigError(`${where}: field "type" is required`);
  const options = Object.fromEntries(Object.entries(raw).filter(([key]) => !COMMON_PROVIDER_FIELDS.includes(key)));
  return {
    id,
    type: raw.type,
    baseUrl: raw.baseUrl === undefined ? undefined : parseHttpUrl(raw.baseUrl, `${where}: field "baseUrl"`),
    refreshBefore: parseRefreshBefore(raw.refreshBefore, `${where}: field "refreshBefore"`),
    requestsPerMinute: parseRequestsPerMinute(raw.requestsPerMinute, `${where}: field "requestsPerMinute"`),
    options,
    definedIn,
  };
}

/** Accepts http(s) URLs only; strips a trailing slash so paths can be appended. */
export function parseHttpUrl(value: unknown, where: string): string {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password) {
        return value.replace(/\/+$/, '');
      }
    } catch {
      // fall through to the error below
    }
  }
  throw new ConfigError(`${where} must be an http(s) URL without credentials`);
}

function parseRefreshBefore(value: unknown, where: string): RefreshBefore {
  if (value === undefined) return DEFAULT_REFRESH_BEFORE;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return { kind: 'seconds', value };
  const match = typeof value === 'string' ? /^(\d{1,2})%$/.exec(value.trim()) : null;
  if (match && Number(match[1]) >= 1 && Number(match[1]) <= 90) return { kind: 'percent', value: Number(match[1]) };
  throw new ConfigError(`${where} must be a percentage of the lifetime (1%-90%, e.g. "20%") or whole seconds (e.g. 300)`);
}

function parseRequestsPerMinute(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new ConfigError(`${where} must be a positive whole number`);
}
