import { Logger } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readConfigFile, type MasterKeyConfig } from '@app/config';
import { ConfigError } from '@app/errors';

/**
 * The AES-256 key: BROKER_MASTER_KEY when set, else the key file, else a new key written once to
 * the key file (0600) with a loud warning, so a first `npm start` works without setup.
 */
export function loadMasterKey(config: MasterKeyConfig, logger: Logger): Buffer {
  if (config.masterKey) return Buffer.from(config.masterKey, 'base64');
  const existing = readKeyFile(config.masterKeyFile);
  if (existing) return existing;
  const key = randomBytes(32);
  mkdirSync(dirname(config.masterKeyFile), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(config.masterKeyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // another broker process on this host generated it first: use theirs
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(config.masterKeyFile)!;
    throw new ConfigError(`BROKER_MASTER_KEY_FILE cannot be written: ${config.masterKeyFile}`);
  }
  logger.warn(
    `No BROKER_MASTER_KEY set: generated a new credential key in ${config.masterKeyFile}. ` +
      'Back it up or set BROKER_MASTER_KEY in production; credentials cannot be read without it.',
  );
  return key;
}

/** A key file is one line of base64 (44 characters); anything much larger is the wrong file. */
const MAX_KEY_FILE_BYTES = 1024;

function readKeyFile(path: string): Buffer | undefined {
  const text = readConfigFile({ variable: 'BROKER_MASTER_KEY_FILE', path }, MAX_KEY_FILE_BYTES)?.trim();
  if (text === undefined) return undefined;
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) {
    // the same rule, in the same words, as for BROKER_MASTER_KEY (libs/config environment.ts)
    throw new ConfigError(
      `BROKER_MASTER_KEY_FILE ${path}: the key must be base64 of exactly 32 random bytes (make one with: openssl rand -base64 32)`,
    );
  }
  return key;
}
