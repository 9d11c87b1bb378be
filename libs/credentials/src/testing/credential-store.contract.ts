import { CredentialConflictError } from '@app/errors';
import type { CredentialStore } from '../credential-store';

/**
 * The behaviour every credential store must have. `corrupt` damages the stored data of `provider`
 * behind the store's back.
 */
export function credentialStoreContract(
  name: string,
  setup: () => Promise<{ store: CredentialStore; corrupt(provider: string): Promise<void> }>,
): void {
  describe(`${name} (credential store contract)`, () => {
    let store: CredentialStore;
    let corrupt: (provider: string) => Promise<void>;
    const provider = () => `p${expect.getState().currentTestName?.length ?? 0}-${Math.random().toString(36).slice(2, 8)}`;

    beforeEach(async () => {
      ({ store, corrupt } = await setup());
    });

    it('answers undefined for a provider with nothing stored', async () => {
      expect(await store.get(provider())).toBeUndefined();
    });

    it('stores, reads back and versions each write', async () => {
      const id = provider();
      const first = await store.put(id, { client_id: 'a', client_secret: 's1' });
      const second = await store.put(id, { client_id: 'a', client_secret: 's2' });
      expect(second.version).toBe(first.version + 1);
      expect(await store.get(id)).toMatchObject({ values: { client_id: 'a', client_secret: 's2' }, version: second.version });
    });

    it('refuses a check-and-set write against a stale version', async () => {
      const id = provider();
      const v1 = await store.put(id, { refresh_token: 'r1' });
      await store.put(id, { refresh_token: 'r2' }, v1.version);
      await expect(store.put(id, { refresh_token: 'stale' }, v1.version)).rejects.toBeInstanceOf(CredentialConflictError);
      expect((await store.get(id))?.values.refresh_token).toBe('r2');
    });

    it('treats expected version 0 as "must not exist yet"', async () => {
      const id = provider();
      await store.put(id, { refresh_token: 'r1' }, 0);
      await expect(store.put(id, { refresh_token: 'r2' }, 0)).rejects.toBeInstanceOf(CredentialConflictError);
    });

    it('lets exactly one of several concurrent check-and-set writers win', async () => {
      const id = provider();
      const base = await store.put(id, { refresh_token: 'r0' });
      const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((t) => store.put(id, { refresh_token: t }, base.version)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof CredentialConflictError)).toBe(true);
    });

    it('deletes', async () => {
      const id = provider();
      await store.put(id, { api_key: 'k' });
      await store.delete(id);
      expect(await store.get(id)).toBeUndefined();
    });

    it('reports corrupt data with a clear error instead of bad values', async () => {
      const id = provider();
      await store.put(id, { api_key: 'k' });
      await corrupt(id);
      await expect(store.get(id)).rejects.toMatchObject({ code: 'credential_store_corrupt' });
    });
  });
}
