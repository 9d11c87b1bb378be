import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestRun } from './global-setup';
import { ISSUED_TOKEN_PATTERNS, TEST_SECRETS } from './test-secrets';

/**
 * Stops Redis, removes the run's temporary directory, and fails the run if any captured output held a
 * test secret or an issued token.
 */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis as TestRun;
  await run.__REDIS__?.stop();
  const dir = process.env.TB_LOG_CAPTURE_DIR;
  if (!dir) return;
  const files = readdirSync(dir);
  const leaks: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [name, secret] of Object.entries(TEST_SECRETS)) if (text.includes(secret)) leaks.push(`${name} in ${file}`);
    for (const pattern of ISSUED_TOKEN_PATTERNS) if (pattern.test(text)) leaks.push(`a token matching ${pattern} in ${file}`);
  }
  rmSync(run.__RUN_DIR__ ?? dir, { recursive: true, force: true }); // the capture directory is in the run's
  if (leaks.length > 0) throw new Error(`Secrets reached the logs: ${leaks.join('; ')}`);
  process.stdout.write(`\nLog check: no test secret or issued token in ${files.length} captured output file(s).\n`);
}
