import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '@app/errors';
import { ProviderInstanceConfig, RefreshBefore } from './broker-config';

/** Provider ids appear in URLs and Redis keys: keep them to a safe, short alphabet. */
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const DEFAULT_REFRESH_BEFORE: RefreshBefore = { kind: 'percent', value: 20 };
const COMMON_FIELDS = new Set(['type', 'baseUrl', 'refreshBefore', 'requestsPerMinute']);

/** Reads and checks the generic shape of PROVIDERS_FILE. Type-specific fields are checked by each provider type. */
export function loadProvidersFile(path: string): ProviderInstanceConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`PROVIDERS_FILE cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseProvidersYaml(text, path);
}

export function parseProvidersYaml(text: string, source = 'PROVIDERS_FILE'): ProviderInstanceConfig[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const providers = isRecord(doc) ? doc.providers : undefined;
  if (providers === undefined || providers === null) return [];
  if (!isRecord(providers)) throw new ConfigError(`${source}: "providers" must be a map of provider id to settings`);
  return Object.entries(providers).map(([id, raw]) => parseInstance(id, raw, source));
}

function parseInstance(id: string, raw: unknown, source: string): ProviderInstanceConfig {
  const where = `${source}: provider "${id}"`;
  if (!PROVIDER_ID_PATTERN.test(id)) {
    throw new ConfigError(`${where}: id must match ${PROVIDER_ID_PATTERN} (lowercase letters, digits, - and _)`);
  }
  if (!isRecord(raw)) throw new ConfigError(`${where}: settings must be a map`);
  if (typeof raw.type !== 'string' || raw.type === '') throw new ConfigError(`${where}: field "type" is required`);
  const options = Object.fromEntries(Object.entries(raw).filter(([key]) => !COMMON_FIELDS.has(key)));
  return {
    id,
    type: raw.type,
    baseUrl: raw.baseUrl === undefined ? undefined : parseHttpUrl(raw.baseUrl, `${where}: field "baseUrl"`),
    refreshBefore: parseRefreshBefore(raw.refreshBefore, `${where}: field "refreshBefore"`),
    requestsPerMinute: parseRequestsPerMinute(raw.requestsPerMinute, `${where}: field "requestsPerMinute"`),
    options,
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
