import type { CredentialStore } from '@app/credentials';
import type { TokenStore } from '@app/token-store';

/** Whether one store the broker needs answered just now; `problem` is the store's own error message. */
export interface StoreReadiness {
  key: 'token_store' | 'credential_store';
  backend: string;
  ready: boolean;
  /**
   * A store every replica shares (Redis, Vault). Without it a replica still serves the tokens it
   * knows, and it is away for all replicas at once: readiness reports it, but stays 200.
   */
  shared: boolean;
  problem?: string;
}

/** The readiness probes, shared by /health/ready and the status page so both say the same. */
export function probeStores(tokens: TokenStore, credentials: CredentialStore): Promise<StoreReadiness[]> {
  // only the Redis token store can fail a ping; the in-memory one always answers
  return Promise.all([probe('token_store', tokens, true), probe('credential_store', credentials, credentials.shared)]);
}

async function probe(key: StoreReadiness['key'], store: TokenStore | CredentialStore, shared: boolean): Promise<StoreReadiness> {
  try {
    await store.ping();
    return { key, backend: store.description, ready: true, shared };
  } catch (error) {
    return { key, backend: store.description, ready: false, shared, problem: (error as Error).message };
  }
}
