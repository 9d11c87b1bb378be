import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedFileCredentialStore } from './encrypted-file-credential-store';
import { SecretBox } from './secret-box';
import { credentialStoreContract } from './testing/credential-store.contract';

const newBox = () => new SecretBox(randomBytes(32));
const newFile = () => join(mkdtempSync(join(tmpdir(), 'tb-cred-')), 'credentials.enc');

credentialStoreContract('EncryptedFileCredentialStore', async () => {
  const file = newFile();
  return {
    store: new EncryptedFileCredentialStore(file, newBox()),
    corrupt: async () => writeFileSync(file, JSON.stringify({ format: 'token-broker-credentials', v: 1, iv: 'AAAA', tag: 'AAAA', data: 'garbage' })),
  };
});

describe('EncryptedFileCredentialStore on disk', () => {
  it('writes only ciphertext, with 0600 permissions, and leaves no temp files', async () => {
    const file = newFile();
    await new EncryptedFileCredentialStore(file, newBox()).put('p', { client_secret: 'plain-secret-value' });
    expect(readFileSync(file, 'utf8')).not.toContain('plain-secret-value');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, '..'))).toEqual(['credentials.enc']);
  });

  it('refuses to read a file written with another key, saying so', async () => {
    const file = newFile();
    await new EncryptedFileCredentialStore(file, newBox()).put('p', { api_key: 'k' });
    await expect(new EncryptedFileCredentialStore(file, newBox()).ping()).rejects.toThrow(/cannot be decrypted with the configured key/);
  });

  it('keeps every write when several stores (processes) share one file', async () => {
    const file = newFile();
    const box = newBox();
    const stores = [0, 1, 2].map(() => new EncryptedFileCredentialStore(file, box));
    await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3].put(`p${i}`, { api_key: `k${i}` })));
    for (let i = 0; i < 12; i += 1) expect((await stores[0].get(`p${i}`))?.values.api_key).toBe(`k${i}`);
  });
});
