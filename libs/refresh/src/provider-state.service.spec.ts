import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CachedCredentials } from '@app/credentials';
import { TokenStoreUnreachableError } from '@app/errors';
import type { DistributedLock } from '@app/locking';
import type { ProviderInstance, ProviderRegistry } from '@app/providers';
import type { ProviderStatus, StoredToken, TokenStore } from '@app/token-store';
import { recordCommands } from '../../../test/support/redis-monitor';
import { TEST_SECRETS } from '../../../test/support/test-secrets';
import { waitFor } from '../../../test/support/wait-for';
import { refreshLockResource } from './provider-state';
import { ProviderStateService, type ProviderSnapshot } from './provider-state.service';
import { fileBackend, listAll, startReplica } from './testing/refresh-replica';

const BATCH = 256;

/** Store reads that answer on a later turn of the event loop, as Redis does, counted by kind and in flight. */
class ReadCounter {
  inFlight = 0;
  most = 0;
  readonly calls = { token: 0, statuses: 0, credentials: 0, locks: 0 };

  read<T>(kind: keyof ReadCounter['calls'], value: T): Promise<T> {
    this.calls[kind] += 1;
    this.inFlight += 1;
    this.most = Math.max(this.most, this.inFlight);
    return nextTurn().then(() => {
      this.inFlight -= 1;
      return value;
    });
  }

  get total(): number {
    return Object.values(this.calls).reduce((sum, calls) => sum + calls, 0);
  }
}

interface ListingSetup {
  count: number;
  nearCopy?: StoredToken;
  /** Redis holds no token for any provider. */
  noTokens?: boolean;
  statuses?: Record<string, ProviderStatus>;
  /** Providers whose refresh lock is held. */
  refreshing?: string[];
  lockReadFails?: boolean;
  credentialReadFails?: boolean;
  unreachableSince?: number;
}

describe('ProviderStateService.batches', () => {
  const token: StoredToken = { accessToken: 'a', tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000, obtainedAt: Date.now(), fence: 1 };

  function listing(setup: ListingSetup): { states: ProviderStateService; reads: ReadCounter; ids: string[] } {
    const { count, nearCopy, statuses = {}, refreshing = [] } = setup;
    const reads = new ReadCounter();
    const ids = Array.from({ length: count }, (_, index) => `p${index}`);
    const instances = ids.map((id) => ({ id, type: 'smartdocumentor', refreshBefore: { kind: 'percent', value: 20 } }) as ProviderInstance);
    const registry = { list: () => instances, get: (id: string) => instances[ids.indexOf(id)] } as unknown as ProviderRegistry;
    const tokens = {
      unreachableSince: () => setup.unreachableSince,
      peek: () => nearCopy,
      get: () =>
        nearCopy
          ? Promise.reject(new Error('read Redis for a token this replica holds'))
          : reads.read('token', setup.noTokens ? undefined : token),
      getStatuses: (providers: string[]) =>
        reads.read(
          'statuses',
          providers.map((provider) => statuses[provider]),
        ),
    } as unknown as TokenStore;
    const record = { version: 1, values: { client_id: 'c', client_secret: TEST_SECRETS.clientSecret } };
    const credentials = {
      get: () => (setup.credentialReadFails ? Promise.reject(new Error('credential store down')) : reads.read('credentials', record)),
    } as unknown as CachedCredentials;
    const held = new Set(refreshing.map(refreshLockResource));
    const lock = {
      heldAmong: (resources: string[]) =>
        setup.lockReadFails
          ? Promise.reject(new Error('lock read failed'))
          : reads.read('locks', new Set(resources.filter((resource) => held.has(resource)))),
    } as unknown as DistributedLock;
    return { states: new ProviderStateService(registry, credentials, tokens, lock), reads, ids };
  }

  it('reads each batch of providers with one status read and one lock read, not one of each per provider', async () => {
    const { states, reads, ids } = listing({ count: 2_000 });
    const snapshots = await listAll(states.batches());
    expect(snapshots.map((snapshot) => snapshot.provider)).toEqual(ids);
    expect(snapshots.every((snapshot) => snapshot.state === 'ok')).toBe(true);
    const batches = Math.ceil(2_000 / BATCH);
    expect(reads.calls).toEqual({ token: 2_000, statuses: batches, credentials: 2_000, locks: batches });
    // a bounded batch at a time: 8,000 reads were in flight at once before batching
    expect(reads.most).toBeLessThanOrEqual(2 * BATCH + 2);
    expect(reads.inFlight).toBe(0);
  });

  it('shows a status and a held refresh lock on their own provider only, in any batch', async () => {
    const failing: ProviderStatus = { state: 'failing', consecutiveFailures: 3, retryAt: 1_000 };
    const { states } = listing({ count: 600, statuses: { p300: failing }, refreshing: ['p5', 'p530'] });
    const snapshots = await listAll(states.batches());
    const notOk = snapshots.filter((snapshot) => snapshot.state !== 'ok');
    expect(notOk.map(({ provider, state, consecutiveFailures }) => ({ provider, state, consecutiveFailures }))).toEqual([
      { provider: 'p5', state: 'refreshing', consecutiveFailures: 0 },
      { provider: 'p300', state: 'failing', consecutiveFailures: 3 },
      { provider: 'p530', state: 'refreshing', consecutiveFailures: 0 },
    ]);
  });

  it('shows providers as not refreshing when the locks cannot be read, and not as missing credentials when their store cannot be read', async () => {
    const { states } = listing({ count: 100, noTokens: true, refreshing: ['p1'], lockReadFails: true, credentialReadFails: true });
    const snapshots = await listAll(states.batches());
    expect(snapshots.every((snapshot) => snapshot.state === 'ok')).toBe(true);
  });

  it('describes one provider from its own status and lock', async () => {
    const { states, reads } = listing({
      count: 100,
      statuses: { p3: { state: 'degraded', consecutiveFailures: 0, durableWritePending: true } },
      refreshing: ['p4'],
    });
    expect(await states.describe('p3')).toEqual(expect.objectContaining({ provider: 'p3', state: 'degraded', durableWritePending: true }));
    expect((await states.describe('p4')).state).toBe('refreshing');
    expect(reads.calls).toEqual({ token: 2, statuses: 2, credentials: 2, locks: 2 });
  });

  it("takes each token from this replica's copy when it holds one, without a store read", async () => {
    const { states, reads } = listing({ count: 100, nearCopy: token });
    const snapshots = await listAll(states.batches());
    expect(snapshots.every((snapshot) => snapshot.state === 'ok' && snapshot.expiresAt === token.expiresAt)).toBe(true);
    expect(reads.calls.token).toBe(0);
  });

  it('hands over a batch at a time, reading the next one only when asked', async () => {
    const { states, reads, ids } = listing({ count: 600 });
    const batches = states.batches();
    const first = (await batches.next()).value as ProviderSnapshot[];
    expect(first.map((snapshot) => snapshot.provider)).toEqual(ids.slice(0, BATCH));
    await nextTurn();
    expect(reads.calls).toEqual({ token: BATCH, statuses: 1, credentials: BATCH, locks: 1 });
    await batches.return(undefined);
  });

  it('lets listings that run together share each batch read, and reads again once the answers are let go', async () => {
    const { states, reads } = listing({ count: 2_000 });
    const perListing = 2 * 2_000 + 2 * Math.ceil(2_000 / BATCH);
    const [first, second] = await Promise.all([listAll(states.batches()), listAll(states.batches())]);
    expect(second).toEqual(first);
    expect(reads.total).toBe(perListing);
    await answersLetGo();

    // asked a few batches behind another: it takes what was just read, catches up and shares the rest
    const ahead = states.batches();
    for (let batch = 0; batch < 3; batch += 1) await ahead.next();
    const [behind] = await Promise.all([listAll(states.batches()), listAll(ahead)]);
    expect(behind).toEqual(first);
    expect(reads.total).toBe(2 * perListing);

    await answersLetGo();
    await listAll(states.batches());
    expect(reads.total).toBe(3 * perListing);
  });

  /** Longer than a batch's answer is handed to other listings. */
  const answersLetGo = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('refuses at once, without a read, while Redis is known to be unreachable', async () => {
    const { states, reads } = listing({ count: 100, unreachableSince: Date.now() - 1_000 });
    await expect(states.batches().next()).rejects.toBeInstanceOf(TokenStoreUnreachableError);
    expect(reads.total).toBe(0);
  });
});

describe('ProviderStateService.batches on Redis', () => {
  it('sends one command for the statuses and one for the refresh locks of each batch, whatever the batch holds', async () => {
    const count = 600;
    const redisPrefix = `t${randomBytes(4).toString('hex')}:`;
    const ids = Array.from({ length: count }, (_, index) => `p${index}`);
    const providersYaml = `providers:\n${ids.map((id) => `  ${id}: { type: smartdocumentor, baseUrl: "http://127.0.0.1:9" }\n`).join('')}`;
    const replica = await startReplica({ backend: fileBackend().backend, redisPrefix, providersYaml });
    const commands = await recordCommands(process.env.TEST_REDIS_URL!, redisPrefix);
    try {
      // this replica's own copies: the listing reads no token from Redis
      await Promise.all(ids.map((id) => replica.tokens.put(id, storedToken(id))));
      await waitFor(() => ids.every((id) => replica.tokens.peek(id) !== undefined));
      await replica.tokens.putStatus('p300', { state: 'failing', consecutiveFailures: 2 });
      await commands.take();

      const snapshots = await replica.list();
      const listingCommands = await commands.take();

      expect(snapshots.filter((snapshot) => snapshot.state !== 'ok').map((snapshot) => snapshot.provider)).toEqual(['p300']);
      // before: one GET of the status and one EXISTS of the lock per provider, { get: 600, exists: 600 }
      expect(countByName(listingCommands)).toEqual({ mget: 2 * Math.ceil(count / BATCH) });
    } finally {
      await commands.stop();
      await replica.close();
    }
  });

  const storedToken = (id: string): StoredToken => ({
    accessToken: `at-${id}`,
    tokenType: 'Bearer',
    expiresAt: Date.now() + 3_600_000,
    obtainedAt: Date.now(),
    fence: 1,
  });
  const countByName = (names: string[]) =>
    names.reduce<Record<string, number>>((counts, name) => ({ ...counts, [name]: (counts[name] ?? 0) + 1 }), {});
});
