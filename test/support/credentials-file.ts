import { writeFileSync } from 'node:fs';
import { SecretBox } from '@app/credentials';

/**
 * Writes a credentials file for many providers at once, in the encrypted file store's format, so the
 * bench and the scale specs start a broker with thousands of seeded providers without as many admin
 * writes of a growing file.
 */
export function writeCredentialsFile(path: string, masterKeyBase64: string, ids: string[], values: Record<string, string>): void {
  const updatedAt = new Date().toISOString();
  const contents = Object.fromEntries(ids.map((id) => [id, { values, version: 1, updatedAt }]));
  const box = new SecretBox(Buffer.from(masterKeyBase64, 'base64'));
  writeFileSync(path, JSON.stringify({ format: 'token-broker-credentials', v: 1, ...box.sealParts(JSON.stringify(contents)) }), {
    mode: 0o600,
  });
}
