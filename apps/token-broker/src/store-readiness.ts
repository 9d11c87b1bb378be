import type { CredentialStore } from '@app/credentials';
import type { TokenStore } from '@app/token-store';

/** Whether one store the broker needs answered just now; `problem` is the store's own error message. */
export interface StoreReadiness {
  key: 'token_store' | 'credential_store';
  backend: string;
  ready: boolean;
  problem?: string;
}

/** The readiness probes, shared by /health/ready and the status page so both say the same. */
export function probeStores(tokens: TokenStore, credentials: CredentialStore): Promise<StoreReadiness[]> {
  return Promise.all([probe('token_store', tokens), probe('credential_store', credentials)]);
}

async function probe(key: StoreReadiness['key'], store: TokenStore | CredentialStore): Promise<StoreReadiness> {
  try {
    await store.ping();
    return { key, backend: store.description, ready: true };
  } catch (error) {
    return { key, backend: store.description, ready: false, problem: (error as Error).message };
  }
}
