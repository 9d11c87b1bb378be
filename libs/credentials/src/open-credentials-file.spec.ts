import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileCredentialStoreConfig, MasterKeyConfig } from '@app/config';
import { ConfigError } from '@app/errors';
import { openCredentialsFile } from './open-credentials-file';

type Config = FileCredentialStoreConfig & MasterKeyConfig;

/** Key file and credentials file in a `data/` directory that does not exist yet, as on a first `npm start`. */
function freshConfig(): Config {
  const data = join(mkdtempSync(join(tmpdir(), 'tb-open-')), 'data');
  return { backend: 'file', file: join(data, 'credentials.enc'), masterKeyFile: join(data, 'master.key') };
}

const newLogger = () =>
  ({ log: jest.fn(), warn: jest.fn(), error: jest.fn() }) as unknown as Logger & Record<'log' | 'warn' | 'error', jest.Mock>;
const missing = { code: 'credential_store_unavailable', message: expect.stringContaining('is missing') };

describe('openCredentialsFile', () => {
  it('creates the key file and an empty store on a first start: 0600 files in a 0700 directory', async () => {
    const config = freshConfig();
    const { store } = await openCredentialsFile(config, newLogger());
    expect(await store.get('p')).toBeUndefined();
    for (const file of [config.file, config.masterKeyFile]) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(config.file, '..')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(config.file, '..')).sort()).toEqual(['credentials.enc', 'credentials.enc.created', 'master.key']);
    expect(readFileSync(`${config.file}.created`, 'utf8')).toMatch(/a missing credentials\.enc is a lost store, not a first start/);
  });

  it('opens both on the next start', async () => {
    const config = freshConfig();
    await (await openCredentialsFile(config, newLogger())).store.put('p', { api_key: 'k' });
    const key = readFileSync(config.masterKeyFile, 'utf8');
    const logger = newLogger();
    expect((await (await openCredentialsFile(config, logger)).store.get('p'))?.values).toEqual({ api_key: 'k' });
    expect(readFileSync(config.masterKeyFile, 'utf8')).toBe(key);
    expect([...logger.warn.mock.calls, ...logger.error.mock.calls]).toEqual([]);
  });

  // fails on the old code: a missing file was an empty store, written afresh by the next write
  it('treats a missing file beside its marker or its key file as lost: starts, says so, refuses reads and writes, creates nothing', async () => {
    const config = freshConfig();
    await (await openCredentialsFile(config, newLogger())).store.put('p', { api_key: 'k' });
    rmSync(config.file);
    const marked = newLogger();
    await openCredentialsFile(config, marked);
    expect(marked.error).toHaveBeenCalledWith(
      expect.stringMatching(/credentials\.enc is missing though .*credentials\.enc\.created shows it existed.*credentials init/),
    );
    rmSync(`${config.file}.created`);
    const logger = newLogger();
    const { store } = await openCredentialsFile(config, logger);
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/credentials\.enc is missing though .*master\.key shows it existed/));
    await expect(store.ping()).rejects.toMatchObject(missing);
    await expect(store.put('p', { api_key: 'k2' })).rejects.toMatchObject(missing);
    expect(existsSync(config.file)).toBe(false);
    expect(await store.createEmpty()).toBe(true); // what `credentials init` does
    expect(await store.get('p')).toBeUndefined();
  });

  // fails on the old code: a new key was generated, and written, for a file it could never read
  it('stops when the credentials file exists and its key file does not, generating no key', async () => {
    const config = freshConfig();
    await openCredentialsFile(config, newLogger());
    rmSync(config.masterKeyFile);
    await expect(openCredentialsFile(config, newLogger())).rejects.toThrow(
      new ConfigError(
        `CREDENTIALS_FILE ${config.file} exists but its key file ${config.masterKeyFile} does not: restore the key file or set BROKER_MASTER_KEY (a new key could not read the file)`,
      ),
    );
    expect(existsSync(config.masterKeyFile)).toBe(false);
  });

  it('with BROKER_MASTER_KEY, creates the store on a first start, and never a key file', async () => {
    const config = { ...freshConfig(), masterKey: randomBytes(32).toString('base64') };
    const { store } = await openCredentialsFile(config, newLogger());
    await store.put('p', { api_key: 'k' });
    expect(existsSync(config.masterKeyFile)).toBe(false);
    expect((await (await openCredentialsFile(config, newLogger())).store.get('p'))?.values).toEqual({ api_key: 'k' });
  });

  // fails on the old code, as above: with the key in the environment only the marker tells a loss from a first start
  it('with BROKER_MASTER_KEY, treats a missing file beside its marker as lost', async () => {
    const config = { ...freshConfig(), masterKey: randomBytes(32).toString('base64') };
    await openCredentialsFile(config, newLogger());
    rmSync(config.file);
    const logger = newLogger();
    const { store } = await openCredentialsFile(config, logger);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('credentials.enc.created shows it existed'));
    await expect(store.get('p')).rejects.toMatchObject(missing);
    expect(existsSync(config.file)).toBe(false);
  });

  it('marks a store created before markers existed, so its loss is noticed too', async () => {
    const config = { ...freshConfig(), masterKey: randomBytes(32).toString('base64') };
    await openCredentialsFile(config, newLogger());
    rmSync(`${config.file}.created`);
    await openCredentialsFile(config, newLogger());
    expect(existsSync(`${config.file}.created`)).toBe(true);
  });

  it('lets several processes starting at once agree on one first start: one key, one store, none sees it lost', async () => {
    const config = freshConfig();
    const loggers = Array.from({ length: 6 }, newLogger);
    const opened = await Promise.all(loggers.map((logger) => openCredentialsFile(config, logger)));
    await opened[0].store.put('p', { api_key: 'k' });
    for (const { store } of opened) expect((await store.get('p'))?.values).toEqual({ api_key: 'k' });
    expect(loggers.flatMap((logger) => logger.error.mock.calls)).toEqual([]);
    expect(loggers.filter((logger) => logger.log.mock.calls.some(([line]) => String(line).startsWith('First start')))).toHaveLength(1);
    expect(readdirSync(join(config.file, '..')).sort()).toEqual(['credentials.enc', 'credentials.enc.created', 'master.key']);
  });

  it('refuses to start on a file the key cannot open', async () => {
    const config = freshConfig();
    await openCredentialsFile(config, newLogger());
    await expect(openCredentialsFile({ ...config, masterKey: randomBytes(32).toString('base64') }, newLogger())).rejects.toMatchObject({
      code: 'credential_store_corrupt',
    });
  });
});
