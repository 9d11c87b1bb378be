import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CredentialConflictError,
  CredentialStoreCorruptError,
  CredentialStoreUnavailableError,
} from '@app/errors';
import { CredentialRecord, CredentialStore } from './credential-store';
import { withFileLock } from './file-lock';
import { SecretBox, type SealedParts } from './secret-box';

interface Envelope extends SealedParts {
  format: 'token-broker-credentials';
  v: 1;
}

type Contents = Record<string, CredentialRecord>;

/**
 * All providers' credentials in one AES-256-GCM encrypted file. Writes re-read under a lock
 * file, check the version, and replace the file atomically (temp file, fsync, rename), so
 * several processes on one host can share it.
 */
export class EncryptedFileCredentialStore implements CredentialStore {
  readonly description: string;
  /**
   * The file as last decrypted (never changed in place), with what identified it on disk: a read
   * whose stat still matches costs no decryption (one file holds every provider).
   */
  private decrypted?: { identity: string; contents: Contents };

  constructor(
    private readonly path: string,
    private readonly box: SecretBox,
  ) {
    this.description = `encrypted file ${path}`;
  }

  async get(provider: string): Promise<CredentialRecord | undefined> {
    const record = (await this.readAll())[provider];
    return record && { ...record, values: { ...record.values } };
  }

  async put(provider: string, values: Record<string, string>, expectedVersion?: number): Promise<CredentialRecord> {
    return this.update(provider, expectedVersion, (current) => ({
      values: { ...values },
      version: (current?.version ?? 0) + 1,
      updatedAt: new Date().toISOString(),
    }));
  }

  async delete(provider: string): Promise<void> {
    await this.update(provider, undefined, () => undefined);
  }

  async ping(): Promise<void> {
    await this.readAll();
  }

  private async update(
    provider: string,
    expectedVersion: number | undefined,
    change: (current: CredentialRecord | undefined) => CredentialRecord | undefined,
  ): Promise<CredentialRecord> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 }).catch((error) => {
      throw new CredentialStoreUnavailableError(`Credentials directory cannot be created for ${this.path}`, { cause: error });
    });
    return withFileLock(this.path, async () => {
      const contents = { ...(await this.readAll()) }; // the cached contents are never changed in place
      const current = contents[provider];
      if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) {
        throw new CredentialConflictError(provider, expectedVersion);
      }
      const next = change(current);
      if (next) contents[provider] = next;
      else delete contents[provider];
      await this.writeAll(contents);
      return next ?? (current as CredentialRecord);
    });
  }

  private async readAll(): Promise<Contents> {
    let text: string;
    let identity: string;
    try {
      const info = await stat(this.path);
      // every write replaces the file by rename: a new inode, whatever the clock or size says
      identity = `${info.ino}:${info.size}:${info.mtimeMs}`;
      if (this.decrypted?.identity === identity) return this.decrypted.contents;
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new CredentialStoreUnavailableError(`Credentials file ${this.path} cannot be read`, { cause: error });
    }
    const contents = this.decrypt(text);
    this.decrypted = { identity, contents };
    return contents;
  }

  private decrypt(text: string): Contents {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      throw new CredentialStoreCorruptError(`Credentials file ${this.path} is not a token-broker credentials file`);
    }
    if (envelope.format !== 'token-broker-credentials' || envelope.v !== 1) {
      throw new CredentialStoreCorruptError(`Credentials file ${this.path} has an unknown format`);
    }
    try {
      return JSON.parse(this.box.openParts(envelope)) as Contents;
    } catch {
      throw new CredentialStoreCorruptError(
        `Credentials file ${this.path} cannot be decrypted with the configured key (wrong BROKER_MASTER_KEY, or the file is damaged)`,
      );
    }
  }

  private async writeAll(contents: Contents): Promise<void> {
    const envelope: Envelope = { format: 'token-broker-credentials', v: 1, ...this.box.sealParts(JSON.stringify(contents)) };
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(envelope));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
      const dir = await open(dirname(this.path), 'r');
      await dir.sync().finally(() => dir.close());
    } catch (error) {
      throw new CredentialStoreUnavailableError(`Credentials file ${this.path} cannot be written`, { cause: error });
    }
  }
}
