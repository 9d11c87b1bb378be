import type { VaultCredentialStoreConfig } from '@app/config';
import { CredentialConflictError, CredentialStoreCorruptError } from '@app/errors';
import { CredentialRecord, CredentialStore } from '../credential-store';
import { VaultSession, vaultError } from './vault-session';

interface Kv2Read {
  data: Record<string, unknown> | null;
  metadata: { version: number; created_time: string; deletion_time?: string; destroyed?: boolean };
}

/**
 * One KV v2 secret per provider at `<mount>/data/<prefix>/<provider>`. The KV version is the record
 * version, and check-and-set writes use `options.cas`, so Vault itself refuses a stale writer.
 */
export class VaultKv2CredentialStore implements CredentialStore {
  readonly description: string;
  readonly shared = true;

  constructor(
    private readonly config: VaultCredentialStoreConfig,
    private readonly session: VaultSession,
  ) {
    this.description = `Vault KV v2 ${config.address} ${config.kvMount}/${config.pathPrefix}/*`;
  }

  async get(provider: string): Promise<CredentialRecord | undefined> {
    const response = await this.session.request('GET', this.path('data', provider));
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw vaultError(`read of ${provider}`, response);
    const read = response.body?.data as Kv2Read | undefined;
    if (!read?.metadata || read.metadata.deletion_time || read.metadata.destroyed || read.data === null) return undefined;
    return { values: this.strings(provider, read.data), version: read.metadata.version, updatedAt: read.metadata.created_time };
  }

  async put(provider: string, values: Record<string, string>, expectedVersion?: number): Promise<CredentialRecord> {
    const body = { data: values, ...(expectedVersion === undefined ? {} : { options: { cas: expectedVersion } }) };
    const response = await this.session.request('POST', this.path('data', provider), body);
    if (response.status === 400 && response.body?.errors?.some((e) => e.includes('check-and-set'))) {
      throw new CredentialConflictError(provider, expectedVersion ?? 0);
    }
    if (response.status !== 200) throw vaultError(`write of ${provider}`, response);
    const written = response.body?.data as { version: number; created_time: string };
    return { values: { ...values }, version: written.version, updatedAt: written.created_time };
  }

  async delete(provider: string): Promise<void> {
    const response = await this.session.request('DELETE', this.path('metadata', provider));
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) throw vaultError(`delete of ${provider}`, response);
  }

  async ping(): Promise<void> {
    const response = await this.session.request('GET', '/v1/auth/token/lookup-self');
    if (response.status !== 200) throw vaultError('token lookup', response);
  }

  private path(kind: 'data' | 'metadata', provider: string): string {
    return `/v1/${this.config.kvMount}/${kind}/${this.config.pathPrefix}/${provider}`;
  }

  private strings(provider: string, data: Record<string, unknown> | null): Record<string, string> {
    const entries = Object.entries(data ?? {});
    if (entries.some(([, value]) => typeof value !== 'string')) {
      throw new CredentialStoreCorruptError(`Vault secret for "${provider}" holds non-string fields; it was not written by token-broker`);
    }
    return Object.fromEntries(entries) as Record<string, string>;
  }
}
