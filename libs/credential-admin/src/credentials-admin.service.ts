import { Injectable, Logger } from '@nestjs/common';
import { InjectCredentialStore, type CredentialRecord, type CredentialStore } from '@app/credentials';
import { CredentialsNotFoundError } from '@app/errors';
import { ProviderRegistry } from '@app/providers';
import { CredentialReplacer, publicFields } from '@app/refresh';

/** What an admin may learn about stored credentials: never the values. */
export interface CredentialSummary {
  provider: string;
  fields: string[];
  version: number;
  updatedAt: string;
}

/**
 * Credential administration for the admin API and the CLI: validates what a person sends against
 * the provider type's schema, stores or removes it, and describes what is stored without a value.
 */
@Injectable()
export class CredentialsAdminService {
  private readonly logger = new Logger(CredentialsAdminService.name);

  constructor(
    private readonly registry: ProviderRegistry,
    @InjectCredentialStore() private readonly credentials: CredentialStore,
    private readonly replacer: CredentialReplacer,
  ) {}

  async put(provider: string, body: unknown): Promise<CredentialSummary> {
    const values = this.registry.validateCredentials(provider, body);
    const record = await this.replacer.replace(provider, values);
    this.logger.log(`Credentials for ${provider} written (version ${record.version}, fields ${Object.keys(values).join(', ')})`);
    return summarize(provider, record);
  }

  async describe(provider: string): Promise<CredentialSummary> {
    this.registry.get(provider);
    const record = await this.credentials.get(provider);
    if (!record) throw new CredentialsNotFoundError(provider);
    return summarize(provider, record);
  }

  /** The provider stops being served until seeded again. */
  async delete(provider: string): Promise<void> {
    this.registry.get(provider);
    if (!(await this.credentials.get(provider))) throw new CredentialsNotFoundError(provider);
    await this.replacer.remove(provider);
    this.logger.log(`Credentials for ${provider} deleted`);
  }
}

function summarize(provider: string, record: CredentialRecord): CredentialSummary {
  return { provider, fields: Object.keys(publicFields(record.values)).sort(), version: record.version, updatedAt: record.updatedAt };
}
