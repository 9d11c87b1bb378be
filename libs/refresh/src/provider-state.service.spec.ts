import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CachedCredentials } from '@app/credentials';
import type { DistributedLock } from '@app/locking';
import type { ProviderInstance, ProviderRegistry } from '@app/providers';
import type { StoredToken, TokenStore } from '@app/token-store';
import { ProviderStateService } from './provider-state.service';

/** A store read that answers on a later turn of the event loop, as Redis does, counting those in flight. */
class ReadCounter {
  inFlight = 0;
  most = 0;
  total = 0;

  read<T>(value: T): Promise<T> {
    this.total += 1;
    this.inFlight += 1;
    this.most = Math.max(this.most, this.inFlight);
    return nextTurn().then(() => {
      this.inFlight -= 1;
      return value;
    });
  }
}

describe('ProviderStateService.list', () => {
  const token: StoredToken = { accessToken: 'a', tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000, obtainedAt: Date.now(), fence: 1 };

  function listing(count: number, nearCopy?: StoredToken): { states: ProviderStateService; reads: ReadCounter; ids: string[] } {
    const reads = new ReadCounter();
    const ids = Array.from({ length: count }, (_, index) => `p${index}`);
    const instances = ids.map((id) => ({ id, type: 'smartdocumentor', refreshBefore: { kind: 'percent', value: 20 } }) as ProviderInstance);
    const registry = { list: () => instances } as unknown as ProviderRegistry;
    const tokens = {
      unreachableSince: () => undefined,
      peek: () => nearCopy,
      get: () => (nearCopy ? Promise.reject(new Error('read Redis for a token this replica holds')) : reads.read(token)),
      getStatus: () => reads.read(undefined),
    } as unknown as TokenStore;
    const credentials = {
      get: () => reads.read({ version: 1, values: { client_id: 'c', client_secret: 's' } }),
    } as unknown as CachedCredentials;
    const lock = { isHeld: () => reads.read(false) } as unknown as DistributedLock;
    return { states: new ProviderStateService(registry, credentials, tokens, lock), reads, ids };
  }

  it('reads thousands of providers a bounded batch at a time, not all at once, and keeps their order', async () => {
    const { states, reads, ids } = listing(2_000);
    const snapshots = await states.list();
    expect(snapshots.map((snapshot) => snapshot.provider)).toEqual(ids);
    expect(snapshots.every((snapshot) => snapshot.state === 'ok')).toBe(true);
    // four reads per provider: 8,000 at once before
    expect(reads.most).toBeLessThanOrEqual(4 * 64);
    expect(reads.inFlight).toBe(0);
  });

  it("takes each token from this replica's copy when it holds one, without a store read", async () => {
    const { states, reads } = listing(100, token);
    const snapshots = await states.list();
    expect(snapshots.every((snapshot) => snapshot.state === 'ok' && snapshot.expiresAt === token.expiresAt)).toBe(true);
    expect(reads.most).toBeLessThanOrEqual(3 * 64);
  });

  it('gives requests that arrive while a listing runs that listing, and starts a new one after it', async () => {
    const { states, reads } = listing(100);
    const [first, second] = await Promise.all([states.list(), states.list()]);
    expect(second).toBe(first);
    expect(reads.total).toBe(4 * 100);
    expect(await states.list()).not.toBe(first);
    expect(reads.total).toBe(2 * 4 * 100);
  });
});
