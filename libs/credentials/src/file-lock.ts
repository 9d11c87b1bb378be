import { open, readFile, rm, stat } from 'node:fs/promises';
import { CredentialStoreUnavailableError } from '@app/errors';

const STALE_AFTER_MS = 10_000;
const WAIT_MS = 2_000;

/**
 * A lock file (O_EXCL create) so several broker processes on one host never interleave a
 * read-modify-write of the credentials file. A lock older than 10 s is taken as left by a
 * crashed process and removed.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${Date.now()}`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unavailable(lockPath, error);
      if (await isStale(lockPath)) {
        await rm(lockPath, { force: true }).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new CredentialStoreUnavailableError(`Credentials file is locked by another process (${lockPath})`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const info = await stat(lockPath);
    // anything but a plain file there was not left by us: never remove it, wait and fail instead
    if (!info.isFile()) return false;
    const [pid] = (await readFile(lockPath, 'utf8')).split(' ').map(Number);
    return Date.now() - info.mtimeMs > STALE_AFTER_MS || (pid > 0 && !isAlive(pid));
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unavailable(path: string, error: unknown): CredentialStoreUnavailableError {
  return new CredentialStoreUnavailableError(`Credentials lock ${path} cannot be created (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
    cause: error,
  });
}
