import { createInterface } from 'node:readline';
import { CredentialConflictError } from '@app/errors';
import { CredentialStore } from './credential-store';
import { EncryptedFileCredentialStore } from './encrypted-file-credential-store';
import { withFileLock } from './file-lock';
import { SecretBox } from './secret-box';

/**
 * Child process for file-lock.spec.ts, run with ts-node. `hold <file>` takes the credentials lock,
 * says "held" and keeps it until killed. `increment <file> <keyHex> <workers> <durationMs>` says
 * "ready", then for each start time read from stdin runs one round of writes and prints its tally.
 */
export const COUNTER_PROVIDER = 'counter';

export interface Tally {
  succeeded: number;
  /** Lock not had in time (CredentialStoreUnavailableError); conflicts are not counted. */
  refused: number;
}

/**
 * `workers` concurrent writers from `startAt` (epoch ms, so two processes start together) for
 * `durationMs`. Every write adds one to the record's version under the lock; half the writers write
 * check-and-set at the version they read (as the refresh path commits a rotated token), half write
 * unconditionally (as an admin PUT does). Counts each write the store reports as done.
 */
export async function incrementConcurrently(store: CredentialStore, workers: number, startAt: number, durationMs: number): Promise<Tally> {
  const tally: Tally = { succeeded: 0, refused: 0 };
  await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      const checkAndSet = worker % 2 === 0;
      while (Date.now() < startAt + durationMs) {
        const current = await store.get(COUNTER_PROVIDER);
        try {
          await store.put(COUNTER_PROVIDER, { writer: String(worker) }, checkAndSet ? (current?.version ?? 0) : undefined);
          tally.succeeded += 1;
        } catch (error) {
          if (!(error instanceof CredentialConflictError)) tally.refused += 1;
        }
      }
    }),
  );
  return tally;
}

async function main([mode, file, keyHex, workers, durationMs]: string[]): Promise<void> {
  if (mode === 'hold') {
    await withFileLock(file, () => {
      process.stdout.write('held\n');
      return new Promise<never>(() => undefined);
    });
    return;
  }
  const store = new EncryptedFileCredentialStore(file, new SecretBox(Buffer.from(keyHex, 'hex')));
  process.stdout.write('ready\n');
  for await (const startAt of createInterface({ input: process.stdin })) {
    process.stdout.write(`${JSON.stringify(await incrementConcurrently(store, Number(workers), Number(startAt), Number(durationMs)))}\n`);
  }
}

if (require.main === module) void main(process.argv.slice(2));
