import { Logger } from '@nestjs/common';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialStoreConfig } from '@app/config';
import { ConfigError } from '@app/errors';
import { findLoosePermissions, requirePrivateCredentialFiles } from './file-permissions';

const uid = process.getuid!();

/** A 0700 directory holding the key file and the credentials file, both 0600. */
function privateFiles(dirName = 'data'): { dir: string; key: string; credentials: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'tb-perm-')), dirName);
  mkdirSync(dir, { mode: 0o700 });
  const key = join(dir, 'master.key');
  const credentials = join(dir, 'credentials.enc');
  for (const file of [key, credentials]) writeFileSync(file, 'x', { mode: 0o600 });
  return { dir, key, credentials };
}

function fileConfig(files: { key: string; credentials: string }, filePermissions: 'strict' | 'warn' = 'strict'): CredentialStoreConfig {
  return { backend: 'file', file: files.credentials, masterKeyFile: files.key, cacheMs: 0, filePermissions };
}

const quietLogger = () => ({ warn: jest.fn() }) as unknown as Logger & { warn: jest.Mock };

// fails on the old code: nothing looked at owners or modes, and a 0644 key file or a 0777 directory was used as is
describe('findLoosePermissions', () => {
  it('passes 0600 files in a 0700 directory, and paths that do not exist yet', () => {
    const files = privateFiles();
    expect(findLoosePermissions([files.key, files.credentials, join(files.dir, 'not-yet.enc')], uid)).toEqual([]);
  });

  it.each([
    ['0644', 'group and others'],
    ['0640', 'group'],
    ['0604', 'others'],
    ['0620', 'group'],
  ])('says what to chmod for a file of mode %s', (shown, who) => {
    const { key } = privateFiles();
    chmodSync(key, parseInt(shown, 8));
    expect(findLoosePermissions([key], uid)).toEqual([
      { problem: `${key} is accessible to ${who} (mode ${shown})`, fix: `chmod 600 ${key}` },
    ]);
  });

  it('says what to run for a directory others can write, unless its sticky bit protects the files in it', () => {
    const { dir, key } = privateFiles();
    chmodSync(dir, 0o777);
    expect(findLoosePermissions([key], uid)).toEqual([
      { problem: `directory ${dir} is writable by others (mode 0777)`, fix: `chmod o-w ${dir}` },
    ]);
    chmodSync(dir, 0o1777);
    expect(findLoosePermissions([key], uid)).toEqual([]);
  });

  it("refuses a file not owned by the broker's user", () => {
    const { key } = privateFiles();
    const broker = uid + 1;
    expect(findLoosePermissions([key], broker)).toContainEqual({
      problem: `${key} is owned by uid ${uid}, not the broker's user (uid ${broker})`,
      fix: `chown ${broker} ${key}`,
    });
  });

  it('refuses a directory owned by another user, but not one owned by root', () => {
    const { dir, key } = privateFiles();
    // as root, hand the directory to nobody; as anyone else, ask on behalf of another user
    if (uid === 0) chownSync(dir, 65534, 65534);
    const [owner, broker] = uid === 0 ? [65534, 0] : [uid, uid + 1];
    expect(findLoosePermissions([key], broker)).toContainEqual({
      problem: `directory ${dir} is owned by uid ${owner}, not the broker's user (uid ${broker})`,
      fix: `chown ${broker} ${dir}`,
    });
    if (uid === 0) {
      chownSync(dir, 0, 0);
      chownSync(key, 4242, 4242);
      expect(findLoosePermissions([key], 4242)).toEqual([]);
    }
  });

  it('quotes a path the shell would split', () => {
    const { key } = privateFiles("it's data");
    chmodSync(key, 0o644);
    expect(findLoosePermissions([key], uid)[0].fix).toBe(`chmod 600 '${key.replace("'", `'\\''`)}'`);
  });
});

describe('requirePrivateCredentialFiles', () => {
  it('stops startup with one line naming every problem and the commands that fix them', () => {
    const files = privateFiles();
    chmodSync(files.key, 0o644);
    chmodSync(files.credentials, 0o640);
    chmodSync(files.dir, 0o777);
    const stop = () => requirePrivateCredentialFiles(fileConfig(files), quietLogger(), uid);
    expect(stop).toThrow(ConfigError);
    expect(stop).toThrow(
      new ConfigError(
        `${files.key} is accessible to group and others (mode 0644); ${files.credentials} is accessible to group (mode 0640); directory ${files.dir} is writable by others (mode 0777)` +
          `: run chmod 600 ${files.key} && chmod 600 ${files.credentials} && chmod o-w ${files.dir}`,
      ),
    );
  });

  it('logs the same line and goes on with CREDENTIALS_FILE_PERMISSIONS=warn', () => {
    const files = privateFiles();
    chmodSync(files.key, 0o644);
    const logger = quietLogger();
    requirePrivateCredentialFiles(fileConfig(files, 'warn'), logger, uid);
    expect(logger.warn).toHaveBeenCalledWith(
      `${files.key} is accessible to group and others (mode 0644): run chmod 600 ${files.key} (starting anyway: CREDENTIALS_FILE_PERMISSIONS=warn)`,
    );
  });

  it('checks only the files in use: no key file with BROKER_MASTER_KEY, no credentials file with Vault', () => {
    const files = privateFiles();
    chmodSync(files.key, 0o644);
    chmodSync(files.credentials, 0o644);
    expect(() => requirePrivateCredentialFiles({ ...fileConfig(files), masterKey: 'set' }, quietLogger(), uid)).toThrow(
      /credentials\.enc is accessible/,
    );
    expect(() => requirePrivateCredentialFiles({ ...fileConfig(files), masterKey: 'set' }, quietLogger(), uid)).not.toThrow(/master\.key/);
    const vault: CredentialStoreConfig = {
      backend: 'vault',
      address: 'http://127.0.0.1:8200',
      auth: { method: 'token', token: 't' },
      kvMount: 'secret',
      pathPrefix: 'tb',
      masterKey: 'set',
      masterKeyFile: files.key,
      cacheMs: 0,
      filePermissions: 'strict',
    };
    expect(() => requirePrivateCredentialFiles(vault, quietLogger(), uid)).not.toThrow();
    expect(() => requirePrivateCredentialFiles({ ...vault, masterKey: undefined }, quietLogger(), uid)).toThrow(
      /master\.key is accessible/,
    );
  });

  it('checks nothing where there are no POSIX owners (Windows)', () => {
    const files = privateFiles();
    chmodSync(files.key, 0o644);
    expect(() => requirePrivateCredentialFiles(fileConfig(files), quietLogger(), undefined)).not.toThrow();
  });
});
