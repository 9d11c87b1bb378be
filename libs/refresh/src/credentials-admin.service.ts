import { Injectable, Logger } from '@nestjs/common';
import { CachedCredentials, InjectCredentialStore, type CredentialRecord, type CredentialStore } from '@app/credentials';
import { CredentialConflictError, CredentialsNotFoundError } from '@app/errors';
import { ProviderRegistry } from '@app/providers';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { ProviderStatusRecorder } from './provider-status-recorder.service';
import { CLAIM_FIELD, publicFields, readClaim } from './refresh-claim';

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
    private readonly cache: CachedCredentials,
    private readonly status: ProviderStatusRecorder,
  ) {}

  async put(provider: string, body: unknown): Promise<CredentialSummary> {
    const values = this.registry.validateCredentials(provider, body);
    const record = await this.write(provider, values);
    this.cache.invalidate(provider);
    await this.status.credentialsReplaced(provider);
    this.logger.log(`Credentials for ${provider} written (version ${record.version}, fields ${Object.keys(values).join(', ')})`);
    return summarize(provider, record);
  }

  /**
   * A person's values replace everything, refusal marks included, except a live claim on the very
   * refresh token they store again: that token is being spent right now, and dropping the claim would
   * let another replica present it too.
   */
  private async write(provider: string, values: Record<string, string>): Promise<CredentialRecord> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.credentials.get(provider);
      const claim = current && readClaim(current.values);
      const spending = claim && claim.deadline > Date.now() && current.values.refresh_token === values.refresh_token;
      try {
        return await this.credentials.put(provider, spending ? { ...values, [CLAIM_FIELD]: current.values[CLAIM_FIELD] } : values, current?.version ?? 0);
      } catch (error) {
        // a refresh wrote in between: look again (a claim renews every few seconds, so this settles at once)
        if (!(error instanceof CredentialConflictError) || attempt === 5) throw error;
      }
    }
  }

  async describe(provider: string): Promise<CredentialSummary> {
    this.registry.get(provider);
    const record = await this.credentials.get(provider);
    if (!record) throw new CredentialsNotFoundError(provider);
    return summarize(provider, record);
  }

  /** Removes the credentials and the cached token: the provider stops being served until re-seeded. */
  async delete(provider: string): Promise<void> {
    this.registry.get(provider);
    if (!(await this.credentials.get(provider))) throw new CredentialsNotFoundError(provider);
    await this.credentials.delete(provider);
    this.cache.invalidate(provider);
    await this.tokens.delete(provider);
    this.logger.log(`Credentials for ${provider} deleted`);
  }
}

function summarize(provider: string, record: CredentialRecord): CredentialSummary {
  return { provider, fields: Object.keys(publicFields(record.values)).sort(), version: record.version, updatedAt: record.updatedAt };
}
