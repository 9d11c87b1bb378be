import { createHash, randomBytes } from 'node:crypto';

/** A new random caller key and the CALLERS_FILE lines that admit it (only the hash is stored). */
export function newCaller(name: string, allow: string[] | '*'): { key: string; yaml: string } {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) throw new Error('caller name must be 1-63 characters of letters, digits, . _ -');
  const key = `tbk_${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(key).digest('hex');
  const allowed = allow === '*' ? "'*'" : `[${allow.join(', ')}]`;
  return { key, yaml: `  ${name}:\n    keySha256: ${hash}\n    allow: ${allowed}\n` };
}
