import { Logger } from '@nestjs/common';
import { statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { CredentialStoreConfig } from '@app/config';
import { ConfigError } from '@app/errors';

/** One thing wrong with a file's privacy, and the command that puts it right. */
export interface LoosePermission {
  problem: string;
  fix: string;
}

/**
 * The key file and the credentials file get the checks ssh makes of a private key: owned by the
 * broker's user and closed to group and others, in a directory others cannot write (whoever can,
 * can delete or swap the file) unless its sticky bit stops that. Paths that do not exist yet pass:
 * the broker creates them 0600 in a 0700 directory.
 */
export function findLoosePermissions(files: string[], uid: number): LoosePermission[] {
  const found: LoosePermission[] = [];
  const owner = (path: string, info: Stats) => `${path} is owned by uid ${info.uid}, not the broker's user (uid ${uid})`;
  for (const file of files) {
    const info = statIfPresent(file);
    if (!info) continue;
    if (info.uid !== uid) found.push({ problem: owner(file, info), fix: `chown ${uid} ${shellWord(file)}` });
    if (info.mode & 0o077)
      found.push({
        problem: `${file} is accessible to ${groupAndOthers(info.mode)} (mode ${octal(info.mode)})`,
        fix: `chmod 600 ${shellWord(file)}`,
      });
  }
  for (const dir of new Set(files.map((file) => dirname(file)))) {
    const info = statIfPresent(dir);
    if (!info) continue;
    // root can replace anything anyway: a root-owned directory gives no one else a way in
    if (info.uid !== uid && info.uid !== 0) found.push({ problem: `directory ${owner(dir, info)}`, fix: `chown ${uid} ${shellWord(dir)}` });
    if (info.mode & 0o002 && !(info.mode & 0o1000))
      found.push({ problem: `directory ${dir} is writable by others (mode ${octal(info.mode)})`, fix: `chmod o-w ${shellWord(dir)}` });
  }
  return found;
}

/**
 * Stops startup with one line saying what to run, or with CREDENTIALS_FILE_PERMISSIONS=warn logs
 * that line and goes on. `uid` is the broker's user: undefined on Windows, where POSIX owners and
 * modes mean nothing.
 */
export function requirePrivateCredentialFiles(config: CredentialStoreConfig, logger: Logger, uid: number | undefined): void {
  if (uid === undefined) return;
  const files = [...(config.masterKey ? [] : [config.masterKeyFile]), ...(config.backend === 'file' ? [config.file] : [])];
  const loose = findLoosePermissions(files, uid);
  if (loose.length === 0) return;
  const line = `${loose.map((l) => l.problem).join('; ')}: run ${loose.map((l) => l.fix).join(' && ')}`;
  if (config.filePermissions === 'strict') throw new ConfigError(line);
  logger.warn(`${line} (starting anyway: CREDENTIALS_FILE_PERMISSIONS=warn)`);
}

function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined; // a path that cannot be examined is reported by the read that follows
  }
}

function groupAndOthers(mode: number): string {
  return [mode & 0o070 ? 'group' : '', mode & 0o007 ? 'others' : ''].filter(Boolean).join(' and ');
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** The path as one shell word, so the printed command can be pasted whatever the path holds. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
