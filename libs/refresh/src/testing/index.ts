export { readOutbox } from './outbox-reader';
export { startReplica, fileBackend, vaultBackend, type BackendFixture, type RefreshReplica } from './refresh-replica';
