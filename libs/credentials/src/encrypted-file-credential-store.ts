import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CredentialConflictError, CredentialStoreCorruptError, CredentialStoreUnavailableError } from '@app/errors';
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
 * several processes on one host can share it. The file exists from the first start on
 * (`createEmpty`): a missing file is a lost store, never an empty one, and nothing is read from
 * or written to it until a person restores the file or creates an empty store on purpose.
 */
/** About 150,000 providers' credentials; a larger file is not one this broker wrote. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class EncryptedFileCredentialStore implements CredentialStore {
  readonly description: string;
  readonly shared = false;
  /**
   * The file as last decrypted (never changed in place), with what identified it on disk: a read
   * whose stat still matches costs no decryption (one file holds every provider), and reads that
   * find the file changed share one decryption of it.
   */
  private decrypted?: { identity: string; contents: Promise<Contents> };
  /** The stat that calls made in this turn wait on: it begins after all of them. */
  private nextStat?: Promise<Stats | undefined>;

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

  /**
   * Writes an empty store where there is no file: at a first start, and when a person says so
   * after a loss (`credentials init`). False, changing nothing, when a file is there.
   */
  async createEmpty(): Promise<boolean> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 }).catch((error) => {
      throw new CredentialStoreUnavailableError(`Credentials directory cannot be created for ${this.path}`, { cause: error });
    });
    return withFileLock(this.path, async () => {
      if (await this.statOrMissing()) return false;
      await this.writeAll({});
      return true;
    });
  }

  private async update(
    provider: string,
    expectedVersion: number | undefined,
    change: (current: CredentialRecord | undefined) => CredentialRecord | undefined,
  ): Promise<CredentialRecord> {
    // a lost file (or directory) answers as such, rather than as a lock that cannot be taken
    await this.readAll();
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
      return next ?? current;
    });
  }

  private async readAll(): Promise<Contents> {
    const info = await this.statOrMissing();
    if (!info) throw this.missing();
    // a FIFO would block every read, /dev/zero would never end
    if (!info.isFile()) throw new CredentialStoreUnavailableError(`Credentials file ${this.path} is not a regular file`);
    if (info.size > MAX_FILE_BYTES)
      throw new CredentialStoreUnavailableError(`Credentials file ${this.path} is larger than 64 MiB: is this the right file?`);
    // every write replaces the file by rename: a new inode, whatever the clock or size says
    const identity = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (this.decrypted?.identity !== identity) {
      const contents = this.readAndDecrypt();
      this.decrypted = { identity, contents };
      // a failed read is tried again by the next call
      contents.catch(() => {
        if (this.decrypted?.contents === contents) this.decrypted = undefined;
      });
    }
    return this.decrypted.contents;
  }

  private async readAndDecrypt(): Promise<Contents> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? this.missing() : this.unreadable(error);
    });
    return this.decrypt(text);
  }

  /**
   * Calls made in one turn share one stat, begun after the last of them, so each still sees every
   * write finished before it was made: a listing asks for a batch of providers at once, and at
   * 10,000 providers a stat each was most of what reading their cached credentials cost.
   */
  private statOrMissing(): Promise<Stats | undefined> {
    this.nextStat ??= Promise.resolve().then(() => {
      this.nextStat = undefined;
      return stat(this.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw this.unreadable(error);
      });
    });
    return this.nextStat;
  }

  private unreadable(error: unknown): CredentialStoreUnavailableError {
    return new CredentialStoreUnavailableError(`Credentials file ${this.path} cannot be read`, { cause: error });
  }

  private missing(): CredentialStoreUnavailableError {
    return new CredentialStoreUnavailableError(
      `Credentials file ${this.path} is missing: restore it from a backup, or start an empty store with \`npm run -s cli -- credentials init\``,
    );
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
