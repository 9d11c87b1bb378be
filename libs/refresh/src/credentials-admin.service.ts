import { Injectable, Logger } from '@nestjs/common';
import { InjectCredentialStore, type CredentialRecord, type CredentialStore } from '@app/credentials';
import { ProviderRegistry } from '@app/providers';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { publicFields } from './refresh-claim';

/** What an admin may learn about stored credentials: never the values. */
export interface CredentialSummary {
  provider: string;
  fields: string[];
  version: number;
  updatedAt: string;
}

/** Validates, stores and removes provider credentials, and lets a provider that needed a person try again. */
@Injectable()
export class CredentialsAdminService {
  private readonly logger = new Logger(CredentialsAdminService.name);

  constructor(
    private readonly registry: ProviderRegistry,
    @InjectCredentialStore() private readonly credentials: CredentialStore,
    @InjectTokenStore() private readonly tokens: TokenStore,
  ) {}

  async put(provider: string, body: unknown): Promise<CredentialSummary> {
    const values = this.registry.validateCredentials(provider, body);
    const record = await this.credentials.put(provider, values);
    // new credentials end a "needs a person" state and any backoff at once, on every replica
    await this.tokens.putStatus(provider, { state: 'ok', consecutiveFailures: 0 });
    this.logger.log(`Credentials for ${provider} written (version ${record.version}, fields ${Object.keys(values).join(', ')})`);
    return summarize(provider, record);
  }

  async describe(provider: string): Promise<CredentialSummary | undefined> {
    this.registry.get(provider);
    const record = await this.credentials.get(provider);
    return record && summarize(provider, record);
  }
}

function summarize(provider: string, record: CredentialRecord): CredentialSummary {
  return { provider, fields: Object.keys(publicFields(record.values)).sort(), version: record.version, updatedAt: record.updatedAt };
}
