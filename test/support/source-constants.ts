import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Seconds of a source constant like `const SHUTDOWN_WAIT_MS = 10_000;` (not exported by its module),
 * read from the file so deployment settings are checked against the code's own value.
 */
export function constantSeconds(path: string, name: string): number {
  const [, value] = new RegExp(`const ${name} = ([\\d_]+);`).exec(readFileSync(join(process.cwd(), path), 'utf8')) ?? [];
  if (value === undefined) throw new Error(`${path} has no "const ${name} = <number>;"`);
  return Number(value.replace(/_/g, '')) / 1000;
}
