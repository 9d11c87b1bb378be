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

  /** A person's change: refused at once while Redis is away (CredentialReplacer.refuseWhileStoreAway). */
  async put(provider: string, body: unknown): Promise<CredentialSummary> {
    const values = this.registry.validateCredentials(provider, body);
    this.replacer.refuseWhileStoreAway();
    return this.write(provider, values);
  }

  /**
   * Values the broker obtained itself (the connect flow's refresh token): written even while Redis
   * is away, since nobody could send them again.
   */
  async store(provider: string, body: unknown): Promise<CredentialSummary> {
    return this.write(provider, this.registry.validateCredentials(provider, body));
  }

  async describe(provider: string): Promise<CredentialSummary> {
    this.registry.get(provider);
    const record = await this.credentials.get(provider);
    if (!record) throw new CredentialsNotFoundError(provider);
    return summarize(provider, record);
  }

  /** The provider stops being served until seeded again. Refused at once while Redis is away, as `put` is. */
  async delete(provider: string): Promise<void> {
    this.registry.get(provider);
    if (!(await this.credentials.get(provider))) throw new CredentialsNotFoundError(provider);
    this.replacer.refuseWhileStoreAway();
    await this.replacer.remove(provider);
    this.logger.log(`Credentials for ${provider} deleted`);
  }

  private async write(provider: string, values: Record<string, string>): Promise<CredentialSummary> {
    const record = await this.replacer.replace(provider, values);
    this.logger.log(`Credentials for ${provider} written (version ${record.version}, fields ${Object.keys(values).join(', ')})`);
    return summarize(provider, record);
  }
}

function summarize(provider: string, record: CredentialRecord): CredentialSummary {
  return { provider, fields: Object.keys(publicFields(record.values)).sort(), version: record.version, updatedAt: record.updatedAt };
}
