import { Logger } from '@nestjs/common';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { FileCredentialStoreConfig, MasterKeyConfig } from '@app/config';
import { ConfigError } from '@app/errors';
import { EncryptedFileCredentialStore } from './encrypted-file-credential-store';
import { withFileLock } from './file-lock';
import { loadMasterKey } from './master-key';
import { SecretBox } from './secret-box';

type Config = FileCredentialStoreConfig & MasterKeyConfig;

interface OpenedFileStore {
  box: SecretBox;
  store: EncryptedFileCredentialStore;
}

/**
 * The file backend's key and store, and the rule that tells a first start from a lost file
 * (README "Where credentials live"). Beside the credentials file the broker keeps a marker,
 * `<file>.created`, saying a store was created there:
 * - no credentials file, no marker, and no key file (or BROKER_MASTER_KEY set): a first start,
 *   which creates the store (and the key file, without BROKER_MASTER_KEY) and the marker;
 * - no credentials file, but the marker or the key file is there: the file was lost; the broker
 *   starts not ready and the store refuses reads and writes until a person restores the file or
 *   runs `credentials init`;
 * - the credentials file without its key file: the key was lost; startup stops rather than
 *   generate a key that cannot read the file.
 * A missing file is judged under a lock beside it, so of several processes starting at once one
 * creates the files and the others find them.
 */
export async function openCredentialsFile(config: Config, logger: Logger): Promise<OpenedFileStore> {
  // most starts find the file and take no lock, so a read-only credentials directory still works
  if (existsSync(config.file)) return openExisting(config, logger);
  await mkdir(dirname(config.file), { recursive: true, mode: 0o700 }).catch(() => {
    throw new ConfigError(`CREDENTIALS_FILE directory cannot be created: ${dirname(config.file)}`);
  });
  return withFileLock(`${config.file}.first-start`, async () => {
    if (existsSync(config.file)) return openExisting(config, logger); // another process's first start, just now
    const witness = [markerPath(config), ...(config.masterKey ? [] : [config.masterKeyFile])].find((path) => existsSync(path));
    const opened = open(config, logger);
    if (witness) {
      logger.error(
        `Credentials file ${config.file} is missing though ${witness} shows it existed: not ready until it is restored from a backup, or an empty store is started with \`npm run -s cli -- credentials init\``,
      );
    } else if (await opened.store.createEmpty()) {
      leaveMarker(config);
      logger.log(`First start: created an empty credential store in ${config.file}`);
    }
    return opened;
  });
}

async function openExisting(config: Config, logger: Logger): Promise<OpenedFileStore> {
  if (!config.masterKey && !existsSync(config.masterKeyFile)) {
    throw new ConfigError(
      `CREDENTIALS_FILE ${config.file} exists but its key file ${config.masterKeyFile} does not: restore the key file or set BROKER_MASTER_KEY (a new key could not read the file)`,
    );
  }
  const opened = open(config, logger);
  await opened.store.ping(); // refuse to start on a file the key cannot open, rather than failing on first use
  leaveMarker(config); // a store from before markers existed gets one
  return opened;
}

function open(config: Config, logger: Logger): OpenedFileStore {
  const box = new SecretBox(loadMasterKey(config, logger));
  return { box, store: new EncryptedFileCredentialStore(config.file, box) };
}

function markerPath(config: Config): string {
  return `${config.file}.created`;
}

function leaveMarker(config: Config): void {
  const text =
    `token-broker created its credential store ${basename(config.file)} in this directory. While this file is here, ` +
    `a missing ${basename(config.file)} is a lost store, not a first start (README "Where credentials live").\n`;
  try {
    writeFileSync(markerPath(config), text, { mode: 0o600, flag: 'wx' });
  } catch {
    // there already, or a read-only directory: where nothing can be written, nothing is recreated either
  }
}
