import { ProviderInstanceConfig } from '@app/config';
import { ProviderTypeDefinition } from './provider-type';

/**
 * An upstream that a generic type serves with its documented values: named in `type:` like a type,
 * configured like its base type. The instance's own fields win over the preset's.
 */
export interface ProviderPreset {
  readonly type: string;
  readonly base: ProviderTypeDefinition;
  readonly baseUrl?: string;
  /** The upstream's documented limit of token calls per minute. */
  readonly requestsPerMinute?: number;
  /** The base type's fields as the upstream documents them. */
  readonly defaults: Record<string, unknown>;
  /** Fields this preset accepted before it was a preset, rewritten into the base type's fields. */
  readonly shorthands?: Record<string, (value: unknown) => Record<string, unknown>>;
}

/** The instance's config with the preset's values wherever the instance sets none; map fields (`headers`) merge by key. */
export function applyPreset(config: ProviderInstanceConfig, preset: ProviderPreset): ProviderInstanceConfig {
  const own = { ...config.options };
  const expanded: Record<string, unknown>[] = [];
  for (const [field, expand] of Object.entries(preset.shorthands ?? {})) {
    if (field in own) expanded.push(expand(own[field]));
    delete own[field];
  }
  return {
    ...config,
    baseUrl: config.baseUrl ?? preset.baseUrl,
    requestsPerMinute: config.requestsPerMinute ?? preset.requestsPerMinute,
    options: [preset.defaults, ...expanded, own].reduce(mergeFields, {}),
  };
}

function mergeFields(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...into };
  for (const [key, value] of Object.entries(from)) merged[key] = isMap(into[key]) && isMap(value) ? { ...into[key], ...value } : value;
  return merged;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
