import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { FileHandle, open, unlink } from 'node:fs/promises';
import { CredentialStoreUnavailableError } from '@app/errors';
import { ownerStatus, ownerText } from './lock-owner';

const STALE_AFTER_MS = 10_000;
const WAIT_MS = 2_000;
/** Ours are about 200 bytes; anything longer is not ours and reads as an unknown owner. */
const MAX_LOCK_BYTES = 1024;

interface LockFile {
  text: string;
  ageMs: number;
}

/**
 * A lock file so several broker processes on one host never interleave a read-modify-write of the
 * credentials file. Each lock file names its owner (see lock-owner.ts) with a nonce, so its text is
 * unique: a holder removes the lock only while that text is still its own, and a stale lock (see
 * `isStale`) is taken over only through `takeOver`.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lockPath = `${path}.lock`;
  const mine = ownerText();
  await acquire(lockPath, mine);
  try {
    return await fn();
  } finally {
    await unlinkIf(lockPath, (lock) => lock.text === mine);
  }
}

async function acquire(lockPath: string, mine: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (await createExclusive(lockPath, mine)) return;
    const found = await inspect(lockPath);
    if (Date.now() > deadline) throw new CredentialStoreUnavailableError(`Credentials file is locked by another process (${lockPath})`);
    // anything but a plain file there was not left by a broker: never remove it, wait and fail instead
    if (typeof found === 'object' && isStale(found)) await takeOver(lockPath, lockPath, found, deadline);
    else if (found !== 'absent') await pause();
  }
}

/**
 * Removes the stale file at `path` (a lock, or a claim) if it still is the one judged stale. Every
 * taker first creates, with O_EXCL, a claim named after that file (path and text) and judges it again
 * under it, so of several waiters that judged one lock stale only one removes it, and a later one
 * finds the fresh lock that replaced it and leaves it alone. A claim left by a dead taker is itself
 * stale and taken over the same way.
 */
async function takeOver(lockPath: string, path: string, stale: LockFile, deadline: number): Promise<void> {
  const claimPath = `${lockPath}.${createHash('sha256').update(`${path}\n${stale.text}`).digest('hex').slice(0, 32)}.claim`;
  while (Date.now() <= deadline) {
    const mine = ownerText();
    if (await createExclusive(claimPath, mine)) {
      try {
        await unlinkIf(path, (lock) => lock.text === stale.text && isStale(lock));
      } finally {
        await unlinkIf(claimPath, (claim) => claim.text === mine);
      }
      return;
    }
    const claim = await inspect(claimPath);
    if (typeof claim === 'object' && isStale(claim)) await takeOver(lockPath, claimPath, claim, deadline);
    else if (claim !== 'absent') await pause();
  }
}

/** Its owner is verifiably gone, or cannot be verified and the lock is older than STALE_AFTER_MS; a live owner's lock never is. */
function isStale(lock: LockFile): boolean {
  const status = ownerStatus(lock.text);
  return status === 'gone' || (status === 'unverifiable' && lock.ageMs > STALE_AFTER_MS);
}

/** What is at `path`: a lock's text and age come from one descriptor, so both describe the same file. */
async function inspect(path: string): Promise<LockFile | 'absent' | 'not-a-file'> {
  let handle: FileHandle;
  try {
    // a symlink is reported rather than followed, a FIFO rather than waited on
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ELOOP') return 'not-a-file';
    throw unavailable(path, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return 'not-a-file';
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(MAX_LOCK_BYTES), 0, MAX_LOCK_BYTES, 0);
    return { text: buffer.toString('utf8', 0, bytesRead), ageMs: Date.now() - info.mtimeMs };
  } finally {
    await handle.close();
  }
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw unavailable(path, error);
  }
  try {
    await handle.writeFile(text);
    return true;
  } catch (error) {
    await unlink(path).catch(() => undefined); // still ours: no one takes over a fresh half-written file
    throw unavailable(path, error);
  } finally {
    await handle.close();
  }
}

async function unlinkIf(path: string, isTheOne: (found: LockFile) => boolean): Promise<void> {
  const found = await inspect(path);
  if (typeof found !== 'object' || !isTheOne(found)) return;
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw unavailable(path, error);
  });
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
}

function unavailable(path: string, error: unknown): CredentialStoreUnavailableError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new CredentialStoreUnavailableError(`Credentials lock ${path} cannot be used (${code})`, { cause: error });
}
