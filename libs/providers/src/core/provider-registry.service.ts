import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { ConfigError, InvalidCredentialsInputError, UnknownProviderError } from '@app/errors';
import { PROVIDER_CATALOG } from '../provider-catalog';
import { PROVIDERS_OPTIONS, type ProvidersModuleOptions } from '../providers.module-definition';
import { applyPreset } from './provider-preset';
import { ProviderInstance, ProviderTypeDefinition } from './provider-type';
import { UpstreamHttpClient } from './upstream-http-client';

/** The configured provider instances, built once at startup from PROVIDERS_FILE and the provider catalog. */
@Injectable()
export class ProviderRegistry implements OnModuleInit {
  private readonly instances = new Map<string, ProviderInstance>();
  /** The type (a preset's base type) that serves each instance. */
  private readonly typeOf = new Map<string, ProviderTypeDefinition>();

  constructor(
    @Inject(PROVIDERS_OPTIONS) private readonly options: Pick<ProvidersModuleOptions, 'instances'>,
    private readonly http: UpstreamHttpClient,
  ) {}

  onModuleInit(): void {
    const catalog = new Map(PROVIDER_CATALOG.map((entry) => [entry.type, entry]));
    for (const config of this.options.instances) {
      const entry = catalog.get(config.type);
      if (!entry) {
        const known = [...catalog.keys()].sort().join(', ');
        throw new ConfigError(
          `${config.definedIn ?? 'PROVIDERS_FILE'}: provider "${config.id}": field "type" is "${config.type}", expected one of ${known}`,
        );
      }
      const [type, resolved] = 'base' in entry ? [entry.base, applyPreset(config, entry)] : [entry, config];
      const withBaseUrl = { ...resolved, baseUrl: resolved.baseUrl ?? type.defaultBaseUrl };
      const base = {
        id: config.id,
        type: config.type,
        refreshBefore: config.refreshBefore,
        requestsPerMinute: resolved.requestsPerMinute,
        ...type.configure(withBaseUrl),
      };
      this.instances.set(config.id, {
        ...base,
        client: type.createClient(base, this.http),
        authorization: type.createAuthorization?.(base, this.http),
      });
      this.typeOf.set(config.id, type);
    }
  }

  /** Throws UnknownProviderError for ids that are not configured. */
  get(id: string): ProviderInstance {
    const instance = this.instances.get(id);
    if (!instance) throw new UnknownProviderError(id);
    return instance;
  }

  has(id: string): boolean {
    return this.instances.has(id);
  }

  list(): ProviderInstance[] {
    return [...this.instances.values()];
  }

  /** Validates a credential document against the provider type's schema; returns the accepted fields. */
  validateCredentials(id: string, body: unknown): Record<string, string> {
    const instance = this.get(id);
    const schema = this.typeOf.get(instance.id)!.credentialsSchema;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidCredentialsInputError(id, ['body must be a JSON object']);
    }
    const dto = plainToInstance(schema, body);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    if (errors.length > 0) throw new InvalidCredentialsInputError(id, describeProblems(errors, schema));
    return Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined));
  }
}

/**
 * Names fields and rules, never a value: the schema's constraint messages do not quote values, and
 * an unknown field's *name* is the sender's text too (a secret pasted into the wrong place), so
 * unknown fields are counted, and the accepted names listed instead.
 */
function describeProblems(errors: ValidationError[], schema: new () => object): string[] {
  const unknown = errors.filter((e) => e.constraints?.whitelistValidation).length;
  const problems = errors.filter((e) => !e.constraints?.whitelistValidation).map(describeField);
  if (unknown > 0) {
    const accepted = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(schema, '', true, false)
        .map((m) => m.propertyName),
    );
    problems.push(`${unknown} unknown field${unknown === 1 ? '' : 's'}; accepted fields: ${[...accepted].join(', ')}`);
  }
  return problems;
}

/**
 * One message per field: a missing field fails every rule on it, and "is required" says it all;
 * a value of the wrong type fails the length rules too, and the type rule says more.
 */
function describeField(error: ValidationError): string {
  if (error.value === undefined) return `${error.property} is required`;
  const constraints = error.constraints ?? {};
  return constraints.isString ?? Object.values(constraints)[0] ?? `${error.property} is invalid`;
}
