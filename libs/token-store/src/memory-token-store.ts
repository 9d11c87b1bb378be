import { OutboxEntry, ProviderStatus, StoredToken, TokenStore } from './token-store';

/** Embedded mode: one process, so a Map is the shared state. */
export class MemoryTokenStore implements TokenStore {
  readonly description = 'in-process memory (embedded mode, single instance)';
  private readonly tokens = new Map<string, StoredToken>();
  private readonly fences = new Map<string, number>();
  private readonly statuses = new Map<string, ProviderStatus>();
  private readonly outboxes = new Map<string, OutboxEntry>();
  private readonly probes = new Map<string, number>();

  peek(provider: string): StoredToken | undefined {
    const token = this.tokens.get(provider);
    return token && token.expiresAt > Date.now() ? token : undefined;
  }

  unreachableSince(): undefined {
    return undefined;
  }

  lastKnown(provider: string): StoredToken | undefined {
    return this.peek(provider);
  }

  getWithoutWaiting(provider: string): Promise<StoredToken | undefined> {
    return this.get(provider);
  }

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
    this.fences.delete(provider);
  }

  async getStatus(provider: string): Promise<ProviderStatus | undefined> {
    return this.statuses.get(provider);
  }

  async getStatuses(providers: readonly string[]): Promise<Array<ProviderStatus | undefined>> {
    return providers.map((provider) => this.statuses.get(provider));
  }

  async putStatus(provider: string, status: ProviderStatus): Promise<ProviderStatus | undefined> {
    const previous = this.statuses.get(provider);
    this.statuses.set(provider, status);
    return previous;
  }

  async getOutbox(provider: string): Promise<OutboxEntry | undefined> {
    return this.outboxes.get(provider);
  }

  async putOutbox(provider: string, entry: OutboxEntry): Promise<void> {
    this.outboxes.set(provider, entry);
  }

  async deleteOutbox(provider: string, attemptId: string): Promise<void> {
    if (this.outboxes.get(provider)?.attemptId === attemptId) this.outboxes.delete(provider);
  }

  async takeProbe(provider: string, intervalMs: number): Promise<boolean> {
    const now = Date.now();
    if ((this.probes.get(provider) ?? 0) > now) return false;
    this.probes.set(provider, now + intervalMs);
    return true;
  }

  async ping(): Promise<void> {}
}
