import { COMMON_PROVIDER_FIELDS, ProviderInstanceConfig, parseHttpUrl } from '@app/config';
import { ConfigError } from '@app/errors';

/**
 * Reads a provider instance's type-specific fields, naming provider and field in every error,
 * and refuses fields nobody read (typos would otherwise be silently ignored).
 */
export class OptionReader {
  private readonly read = new Set<string>();

  constructor(private readonly config: ProviderInstanceConfig) {}

  string(field: string, fallback?: string): string {
    const value = this.take(field);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || value === '')
      throw this.error(field, value === undefined ? 'is required' : 'must be a non-empty string');
    return value;
  }

  optionalString(field: string): string | undefined {
    return this.take(field) === undefined ? undefined : this.string(field);
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const value = this.take(field) ?? fallback;
    if (!allowed.includes(value as T)) throw this.error(field, `must be one of ${allowed.join(', ')}`);
    return value as T;
  }

  positiveInt(field: string, fallback: number): number {
    const value = this.take(field) ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw this.error(field, 'must be a positive whole number');
    return value;
  }

  /** `baseUrl` + `path`; `baseUrl` is the type's default unless the instance sets one. */
  endpoint(path: string): string {
    if (!this.config.baseUrl) throw this.error('baseUrl', 'is required (this type has no default)');
    return this.config.baseUrl + path;
  }

  /** An absolute http(s) URL, or a path resolved against the instance's baseUrl. */
  url(field: string): string {
    const value = this.string(field);
    if (value.startsWith('/') && this.config.baseUrl) return this.config.baseUrl + value;
    return parseHttpUrl(value, this.where(field));
  }

  optionalUrl(field: string): string | undefined {
    return this.take(field) === undefined ? undefined : this.url(field);
  }

  /** A map of names to text; `rule` says what is wrong with an entry (never quoting its value), or nothing. */
  stringMap(field: string, rule: (name: string, value: string) => string | undefined): Record<string, string> {
    const value = this.take(field) ?? {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.error(field, 'must be a map of names to text');
    for (const [name, entry] of Object.entries(value)) {
      const problem = typeof entry === 'string' ? rule(name, entry) : 'must be text';
      if (problem) throw this.error(field, `entry "${name}" ${problem}`);
    }
    return value as Record<string, string>;
  }

  /** Call after reading every field. */
  done(): void {
    const unknown = Object.keys(this.config.options).find((key) => !this.read.has(key));
    if (unknown !== undefined) {
      const allowed = [...COMMON_PROVIDER_FIELDS, ...this.read].join(', ');
      throw this.error(unknown, `is not a field of type "${this.config.type}"; allowed fields: ${allowed}`);
    }
  }

  private take(field: string): unknown {
    this.read.add(field);
    return this.config.options[field];
  }

  private where(field: string): string {
    return `${this.config.definedIn ?? 'PROVIDERS_FILE'}: provider "${this.config.id}": field "${field}"`;
  }

  private error(field: string, rule: string): ConfigError {
    return new ConfigError(`${this.where(field)} ${rule}`);
  }
}
