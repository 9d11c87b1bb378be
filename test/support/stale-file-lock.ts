import { spawn } from 'node:child_process';
import { join } from 'node:path';

const FILE_LOCK = join(process.cwd(), 'dist/libs/credentials/src/file-lock.js');

/**
 * Leaves a stale lock on `credentialsFile` the way production does: a process takes the store's
 * write lock and is SIGKILLed while holding it. Resolves once that process is dead.
 */
export async function leaveStaleFileLock(credentialsFile: string): Promise<void> {
  const script = `require(${JSON.stringify(FILE_LOCK)}).withFileLock(${JSON.stringify(credentialsFile)}, async () => process.kill(process.pid, 'SIGKILL'))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}
