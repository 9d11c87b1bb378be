import { Inject, Injectable } from '@nestjs/common';
import { InjectCredentialStore, type CredentialRecord, type CredentialStore } from './credential-store';
import { CREDENTIALS_OPTIONS, type CredentialsModuleOptions } from './credentials.module-definition';

/**
 * A short in-process cache for providers whose credentials do not change on refresh (client
 * secrets, API keys): fewer Vault reads, and refreshes keep working through a brief Vault outage.
 * Never use it for a single-use refresh token: read that from the store, under the lock.
 */
@Injectable()
export class CachedCredentials {
  private readonly entries = new Map<string, { record: CredentialRecord; until: number }>();

  constructor(
    @Inject(CREDENTIALS_OPTIONS) private readonly options: Pick<CredentialsModuleOptions, 'cacheMs'>,
    @InjectCredentialStore() private readonly store: CredentialStore,
  ) {}

  async get(provider: string): Promise<CredentialRecord | undefined> {
    const entry = this.entries.get(provider);
    if (entry && entry.until > Date.now()) return entry.record;
    try {
      return await this.getFresh(provider);
    } catch (error) {
      if (entry) return entry.record; // expired, but better than nothing while the store is down
      throw error;
    }
  }

  /** Reads the store and refreshes the cache. */
  async getFresh(provider: string): Promise<CredentialRecord | undefined> {
    const record = await this.store.get(provider);
    if (record) this.entries.set(provider, { record, until: Date.now() + this.options.cacheMs });
    else this.entries.delete(provider);
    return record;
  }

  invalidate(provider: string): void {
    this.entries.delete(provider);
  }
}
