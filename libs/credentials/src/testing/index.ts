export { VaultTestServer } from './vault-test-server';
