import { readFileSync } from 'node:fs';

/**
 * Reads the credential JSON from `--file PATH`, `--env VAR` or standard input, never from the
 * command line itself (it would land in shell history and `ps`).
 */
export function readSecretInput(flags: Map<string, string>, env: NodeJS.ProcessEnv, stdin: () => string): unknown {
  let text: string;
  if (flags.has('file')) text = readFileSync(flags.get('file')!, 'utf8');
  else if (flags.has('env')) {
    const value = env[flags.get('env')!];
    if (value === undefined) throw new Error(`environment variable ${flags.get('env')} is not set`);
    text = value;
  } else text = stdin();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('credentials must be a JSON object, e.g. {"client_id":"...","client_secret":"..."}');
  }
}
