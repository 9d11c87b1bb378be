import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectCredentialStore, InjectSecretBox, type CredentialRecord, type CredentialStore, type SecretBox } from '@app/credentials';
import { CredentialConflictError, CredentialStoreUnavailableError, OutboxUnreadableError } from '@app/errors';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { openPending, sealPending, type PendingRotation } from './pending-rotation';
import { ProviderStatusRecorder } from './provider-status-recorder.service';
import { fingerprint, publicFields } from './refresh-claim';
import { backoffMs } from './refresh-timing';

/** `refused`: the store could not take the write now (kept, retried); `retired`: newer credentials superseded it. */
export type CommitOutcome = { kind: 'committed'; record: CredentialRecord } | { kind: 'refused' } | { kind: 'retired' };

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Rotated credentials on their way to the credential store. Kept in process memory and, sealed, in
 * the token store, so neither a Redis restart nor this process's death loses them; committed with
 * check-and-set before any other refresh of the provider; retried in the background while the
 * store refuses them.
 */
@Injectable()
export class RefreshOutbox implements OnApplicationShutdown {
  private readonly logger = new Logger(RefreshOutbox.name);
  private readonly inMemory = new Map<string, PendingRotation>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectCredentialStore() private readonly credentials: CredentialStore,
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectSecretBox() private readonly box: SecretBox,
    private readonly status: ProviderStatusRecorder,
  ) {}

  onApplicationShutdown(): void {
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
  }

  /** Parks the rotated credentials before their commit is tried. */
  async save(provider: string, pending: PendingRotation): Promise<void> {
    this.inMemory.set(provider, pending);
    await this.copyToTokenStore(provider, pending);
  }

  /** Commits whatever outbox any replica left for the provider; false while the store refuses it. */
  async settle(provider: string): Promise<boolean> {
    const pending = await this.find(provider);
    if (!pending) return true;
    const outcome = await this.commit(provider, pending);
    if (outcome.kind === 'refused') this.retryLater(provider, 1);
    else await this.status.outboxSettled(provider, outcome.kind);
    return outcome.kind !== 'refused';
  }

  /**
   * Writes the rotated fields over the record they descend from. If the record moved on since the
   * claim but still holds the token these fields succeeded (a renewal, or a replica that took the
   * claim over), they still belong there; if it holds other credentials, a person stored newer
   * ones and these are retired.
   */
  async commit(provider: string, pending: PendingRotation): Promise<CommitOutcome> {
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const current = await this.credentials.get(provider);
        const held = current?.values.refresh_token;
        if (current && held === pending.rotated.refresh_token) return this.done(provider, pending, { kind: 'committed', record: current });
        if (!current || fingerprint(held) !== pending.spent) {
          this.logger.error(
            `${provider}: credentials written by a person superseded rotated credentials of attempt ${pending.attemptId}; discarding them`,
          );
          return this.done(provider, pending, { kind: 'retired' });
        }
        try {
          const record = await this.credentials.put(provider, { ...publicFields(current.values), ...pending.rotated }, current.version);
          return this.done(provider, pending, { kind: 'committed', record });
        } catch (error) {
          if (!(error instanceof CredentialConflictError)) throw error;
        }
      }
      return { kind: 'refused' };
    } catch (error) {
      this.logger.warn(`${provider}: rotated refresh token not yet durable (${(error as Error).message}); kept in the outbox`);
      return { kind: 'refused' };
    }
  }

  /** Background retries with backoff; each also restores the token-store copy (Redis may have restarted). */
  retryLater(provider: string, attempt: number): void {
    clearTimeout(this.retryTimers.get(provider));
    const timer = setTimeout(() => void this.retry(provider, attempt), Math.min(backoffMs(attempt), MAX_RETRY_DELAY_MS));
    timer.unref();
    this.retryTimers.set(provider, timer);
  }

  private async retry(provider: string, attempt: number): Promise<void> {
    const pending = this.inMemory.get(provider);
    if (!pending) return;
    await this.copyToTokenStore(provider, pending);
    const outcome = await this.commit(provider, pending);
    if (outcome.kind === 'refused') this.retryLater(provider, attempt + 1);
    else await this.status.outboxSettled(provider, outcome.kind);
  }

  private async find(provider: string): Promise<PendingRotation | undefined> {
    const mine = this.inMemory.get(provider);
    if (mine) return mine;
    const entry = await this.tokens.getOutbox(provider);
    if (!entry) return undefined;
    try {
      return openPending(this.box, provider, entry);
    } catch {
      throw new OutboxUnreadableError(provider);
    }
  }

  private async done(provider: string, pending: PendingRotation, outcome: CommitOutcome): Promise<CommitOutcome> {
    if (this.inMemory.get(provider)?.attemptId === pending.attemptId) this.inMemory.delete(provider);
    clearTimeout(this.retryTimers.get(provider));
    this.retryTimers.delete(provider);
    await this.tokens.deleteOutbox(provider, pending.attemptId).catch((error: Error) => {
      this.logger.warn(`${provider}: outbox entry ${pending.attemptId} not removed from the token store (${error.message})`);
    });
    return outcome;
  }

  private async copyToTokenStore(provider: string, pending: PendingRotation): Promise<void> {
    await this.tokens.putOutbox(provider, sealPending(this.box, provider, pending)).catch((error: Error) => {
      this.logger.warn(`${provider}: outbox copy not written to the token store (${error.message}); this process still holds it`);
    });
  }
}

/** Thrown by the refresh when an outbox waits and the credential store still refuses it. */
export function outboxWaiting(provider: string): CredentialStoreUnavailableError {
  return new CredentialStoreUnavailableError(
    `A rotated refresh token for "${provider}" waits for the credential store, which refuses writes; refreshing resumes once it is stored`,
  );
}
