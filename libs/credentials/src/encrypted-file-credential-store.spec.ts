import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedFileCredentialStore } from './encrypted-file-credential-store';
import { SecretBox } from './secret-box';
import { credentialStoreContract } from './testing/credential-store.contract';

/** The module object the store calls into (an `import * as` namespace cannot be spied on). */
const fsPromises = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
const newBox = () => new SecretBox(randomBytes(32));
const newFile = () => join(mkdtempSync(join(tmpdir(), 'tb-cred-')), 'credentials.enc');

/** A store whose file exists, as the module leaves it after a first start. */
async function createdStore(file = newFile(), box = newBox()): Promise<EncryptedFileCredentialStore> {
  const store = new EncryptedFileCredentialStore(file, box);
  await store.createEmpty();
  return store;
}

credentialStoreContract('EncryptedFileCredentialStore', async () => {
  const file = newFile();
  return {
    store: await createdStore(file),
    corrupt: async () =>
      writeFileSync(file, JSON.stringify({ format: 'token-broker-credentials', v: 1, iv: 'AAAA', tag: 'AAAA', data: 'garbage' })),
  };
});

describe('EncryptedFileCredentialStore on disk', () => {
  it('writes only ciphertext, with 0600 permissions in a 0700 directory, and leaves no temp or lock files', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tb-cred-')), 'data', 'credentials.enc');
    await (await createdStore(file)).put('p', { client_secret: 'plain-secret-value' });
    expect(readFileSync(file, 'utf8')).not.toContain('plain-secret-value');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(file, '..'))).toEqual(['credentials.enc']);
  });

  it('refuses a path that is not a regular file instead of blocking on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cred-'));
    const fifo = join(dir, 'credentials.enc');
    execFileSync('mkfifo', [fifo]);
    await expect(new EncryptedFileCredentialStore(fifo, newBox()).ping()).rejects.toThrow(`Credentials file ${fifo} is not a regular file`);
    await expect(new EncryptedFileCredentialStore('/dev/zero', newBox()).get('p')).rejects.toThrow(
      'Credentials file /dev/zero is not a regular file',
    );
  });

  it('refuses to read a file written with another key, saying so', async () => {
    const file = newFile();
    await (await createdStore(file)).put('p', { api_key: 'k' });
    await expect(new EncryptedFileCredentialStore(file, newBox()).ping()).rejects.toThrow(/cannot be decrypted with the configured key/);
  });

  it('keeps every write when several stores (processes) share one file', async () => {
    const file = newFile();
    const box = newBox();
    await createdStore(file, box);
    const stores = [0, 1, 2].map(() => new EncryptedFileCredentialStore(file, box));
    await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3].put(`p${i}`, { api_key: `k${i}` })));
    for (let i = 0; i < 12; i += 1) expect((await stores[0].get(`p${i}`))?.values.api_key).toBe(`k${i}`);
  });
});

describe('EncryptedFileCredentialStore read by a batch of providers at once', () => {
  afterEach(() => jest.restoreAllMocks());

  it('looks at the file once for the reads made in one turn, and still sees a write finished before them', async () => {
    const file = newFile();
    const box = newBox();
    const writer = await createdStore(file, box);
    const ids = Array.from({ length: 64 }, (_, i) => `p${i}`);
    await Promise.all(ids.map((id) => writer.put(id, { api_key: `old-${id}` })));
    const reader = new EncryptedFileCredentialStore(file, box);
    const stats = jest.spyOn(fsPromises, 'stat');
    const reads = jest.spyOn(fsPromises, 'readFile');

    const first = await Promise.all(ids.map((id) => reader.get(id)));
    expect(first.map((record) => record?.values.api_key)).toEqual(ids.map((id) => `old-${id}`));
    expect([stats.mock.calls.length, reads.mock.calls.length]).toEqual([1, 1]);

    await writer.put('p7', { api_key: 'new-p7' });
    stats.mockClear();
    reads.mockClear();
    const second = await Promise.all(ids.map((id) => reader.get(id)));
    expect(second[7]?.values.api_key).toBe('new-p7');
    // before: a stat per read, and the changed file read and decrypted by each of them
    expect([stats.mock.calls.length, reads.mock.calls.length]).toEqual([1, 1]);
  });
});

// fails on the old code: a deleted file read as an empty store, and the next write created a new one holding only that write
describe('EncryptedFileCredentialStore whose file is deleted while it runs', () => {
  const missing = {
    code: 'credential_store_unavailable',
    message: expect.stringMatching(/Credentials file .*credentials\.enc is missing.*credentials init/),
  };

  it('refuses reads, writes and deletes, and recreates nothing, in every process sharing the file', async () => {
    const file = newFile();
    const box = newBox();
    const store = await createdStore(file, box);
    const other = new EncryptedFileCredentialStore(file, box);
    await store.put('p', { api_key: 'k' });
    expect((await other.get('p'))?.values.api_key).toBe('k'); // both hold the decrypted file now
    rmSync(file);
    for (const s of [store, other]) {
      await expect(s.ping()).rejects.toMatchObject(missing);
      await expect(s.get('p')).rejects.toMatchObject(missing);
      await expect(s.put('q', { api_key: 'k2' })).rejects.toMatchObject(missing);
      await expect(s.put('p', { api_key: 'k2' }, 1)).rejects.toMatchObject(missing);
      await expect(s.delete('p')).rejects.toMatchObject(missing);
    }
    expect(readdirSync(join(file, '..'))).toEqual([]);
  });

  it('refuses writes without recreating the directory when that was removed too', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tb-cred-')), 'data', 'credentials.enc');
    const store = await createdStore(file);
    rmSync(join(file, '..'), { recursive: true });
    await expect(store.put('p', { api_key: 'k' })).rejects.toMatchObject(missing);
    expect(existsSync(join(file, '..'))).toBe(false);
  });

  it('works again once a person creates an empty store, or restores the file', async () => {
    const file = newFile();
    const box = newBox();
    const store = await createdStore(file, box);
    await store.put('p', { api_key: 'k' });
    renameSync(file, `${file}.bak`);
    await expect(store.get('p')).rejects.toMatchObject(missing);
    renameSync(`${file}.bak`, file); // restored from a backup
    expect((await store.get('p'))?.values.api_key).toBe('k');
    rmSync(file);
    expect(await new EncryptedFileCredentialStore(file, box).createEmpty()).toBe(true); // `credentials init`, another process
    expect(await store.get('p')).toBeUndefined();
    await store.put('p', { api_key: 'k2' });
    expect((await store.get('p'))?.values.api_key).toBe('k2');
  });

  it('creates an empty store only where there is no file', async () => {
    const file = newFile();
    const store = await createdStore(file);
    await store.put('p', { api_key: 'k' });
    expect(await store.createEmpty()).toBe(false);
    expect((await store.get('p'))?.values.api_key).toBe('k');
  });
});
