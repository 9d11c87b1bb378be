import { ConnectStateStore, PendingAuthorization } from './connect-state-store';

/** Embedded mode: one process, so its memory is the shared store. Expired entries go on the next write. */
export class MemoryConnectStateStore implements ConnectStateStore {
  readonly description = 'memory';
  private readonly entries = new Map<string, { pending: PendingAuthorization; until: number }>();

  async put(stateHash: string, pending: PendingAuthorization, ttlMs: number): Promise<void> {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
    this.entries.set(stateHash, { pending, until: now + ttlMs });
  }

  async take(stateHash: string): Promise<PendingAuthorization | undefined> {
    const entry = this.entries.get(stateHash);
    this.entries.delete(stateHash);
    return entry && entry.until > Date.now() ? entry.pending : undefined;
  }
}
