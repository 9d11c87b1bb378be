import { ProviderStatus, StoredToken, TokenStore } from './token-store';

/** Embedded mode: one process, so a Map is the shared state. */
export class MemoryTokenStore implements TokenStore {
  readonly description = 'in-process memory (embedded mode, single instance)';
  private readonly tokens = new Map<string, StoredToken>();
  private readonly fences = new Map<string, number>();
  private readonly statuses = new Map<string, ProviderStatus>();

  async get(provider: string): Promise<StoredToken | undefined> {
    const token = this.tokens.get(provider);
    if (token && token.expiresAt <= Date.now()) {
      this.tokens.delete(provider);
      return undefined;
    }
    return token;
  }

  async put(provider: string, token: StoredToken): Promise<boolean> {
    if ((this.fences.get(provider) ?? 0) > token.fence) return false;
    this.fences.set(provider, token.fence);
    this.tokens.set(provider, token);
    return true;
  }

  async delete(provider: string): Promise<void> {
    this.tokens.delete(provider);
  }

  async getStatus(provider: string): Promise<ProviderStatus | undefined> {
    return this.statuses.get(provider);
  }

  async putStatus(provider: string, status: ProviderStatus): Promise<void> {
    this.statuses.set(provider, status);
  }

  async ping(): Promise<void> {}
}
