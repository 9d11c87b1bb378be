import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectBrokerConfig, type BrokerConfig } from '@app/config';
import { InjectCredentialStore, type CredentialRecord, type CredentialStore } from '@app/credentials';
import { CredentialConflictError, CredentialsMissingError, LockUnavailableError, UpstreamError } from '@app/errors';
import type { IssuedToken, ProviderInstance } from '@app/providers';
import { InjectTokenStore, type PendingCredentials, type TokenStore } from '@app/token-store';
import { publicFields, readClaim, withClaim } from './refresh-claim';
import { backoffMs } from './refresh-timing';

/** A refresh whose rotated credentials are issued; `durable` is false while they wait in the outbox. */
export interface RotatedRefresh {
  issued: IssuedToken;
  durable: boolean;
}

/**
 * The protocol for single-use refresh tokens (docs: README "Refresh protocol"). Runs under the
 * provider lock, but never trusts it: the credential store's version is the fence.
 *   1. commit any pending (outbox) credentials first;  2. claim with check-and-set;
 *   3. call the upstream;  4. save the answer to the outbox (Redis + memory);
 *   5. commit with check-and-set against the claim;  6. on failure keep the outbox and retry.
 */
@Injectable()
export class RotatingCredentialRefresh implements OnApplicationShutdown {
  private readonly logger = new Logger(RotatingCredentialRefresh.name);
  /** Outbox copies in this process, in case Redis loses them (restart without persistence). */
  private readonly pendingInMemory = new Map<string, PendingCredentials>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectBrokerConfig() private readonly config: BrokerConfig,
    @InjectCredentialStore() private readonly credentials: CredentialStore,
    @InjectTokenStore() private readonly tokens: TokenStore,
  ) {}

  onApplicationShutdown(): void {
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
  }

  /** True while this process holds rotated credentials the store has not accepted. */
  hasPending(provider: string): boolean {
    return this.pendingInMemory.has(provider);
  }

  async refresh(instance: ProviderInstance, signal: AbortSignal): Promise<RotatedRefresh> {
    const record = await this.commitPending(instance.id, await this.readRecord(instance.id));
    const claim = readClaim(record.values);
    if (claim && claim.deadline > Date.now()) throw new LockUnavailableError(`claim:${instance.id}`);
    if (claim) this.logger.warn(`${instance.id}: claim ${claim.attemptId} expired with unknown outcome; presenting its refresh token once more`);

    const attemptId = randomUUID();
    const deadline = Date.now() + this.config.upstreamTimeoutMs + 1_000;
    const claimed = await this.credentials.put(instance.id, withClaim(record.values, { attemptId, deadline, recovering: !!claim }), record.version);
    if (signal.aborted) throw signal.reason as Error; // lock lost while claiming: the claim stays and expires
    let issued: IssuedToken;
    try {
      issued = await instance.client.requestToken({ credentials: publicFields(record.values), signal });
    } catch (error) {
      throw await this.afterFailedCall(instance.id, claimed, error);
    }
    const pending: PendingCredentials = {
      values: { ...publicFields(record.values), ...issued.rotatedCredentials },
      baseVersion: claimed.version,
      attemptId,
      since: Date.now(),
    };
    this.pendingInMemory.set(instance.id, pending);
    await this.tokens.putPending(instance.id, pending).catch(() => undefined); // memory still holds it
    const durable = await this.tryCommit(instance.id, pending);
    if (!durable) this.scheduleRetry(instance.id, 1);
    return { issued, durable };
  }

  private async readRecord(provider: string): Promise<CredentialRecord> {
    const record = await this.credentials.get(provider);
    if (!record?.values.refresh_token) throw new CredentialsMissingError(provider);
    return record;
  }

  /** Commits an outbox left by any replica; returns the record to refresh from. Throws while the store refuses. */
  private async commitPending(provider: string, record: CredentialRecord): Promise<CredentialRecord> {
    const pending = this.pendingInMemory.get(provider) ?? (await this.tokens.getPending(provider));
    if (!pending) return record;
    if (!(await this.tryCommit(provider, pending))) throw new LockUnavailableError(`outbox:${provider}`);
    return this.readRecord(provider);
  }

  /** Check-and-set against the claim's version; false (and the outbox kept) when the store refuses. */
  private async tryCommit(provider: string, pending: PendingCredentials): Promise<boolean> {
    try {
      await this.credentials.put(provider, pending.values, pending.baseVersion);
    } catch (error) {
      const current = await this.credentials.get(provider).catch(() => undefined);
      const alreadyThere = current?.values.refresh_token === pending.values.refresh_token;
      if (!alreadyThere) {
        if (error instanceof CredentialConflictError) {
          this.logger.error(`${provider}: credentials changed under a pending commit (attempt ${pending.attemptId}); keeping it in the outbox`);
        } else {
          this.logger.warn(`${provider}: rotated refresh token not yet durable (${(error as Error).message}); kept in the outbox`);
        }
        return false;
      }
    }
    this.pendingInMemory.delete(provider);
    await this.tokens.deletePending(provider, pending.attemptId).catch(() => undefined);
    return true;
  }

  private scheduleRetry(provider: string, attempt: number): void {
    clearTimeout(this.retryTimers.get(provider));
    const timer = setTimeout(() => {
      const pending = this.pendingInMemory.get(provider);
      if (!pending) return;
      void this.tryCommit(provider, pending).then((ok) => (ok ? this.retryTimers.delete(provider) : this.scheduleRetry(provider, attempt + 1)));
    }, Math.min(backoffMs(attempt), 30_000));
    timer.unref();
    this.retryTimers.set(provider, timer);
  }

  /**
   * An answer from the upstream (4xx/5xx) means the token was not spent: drop the claim so the next
   * attempt proceeds at once. A timeout or a lost connection leaves the outcome unknown: the claim
   * stays until its deadline, and the next holder presents the token once more (rule 7).
   * `invalid_grant` is final only if nobody changed the credentials meanwhile (rule 6).
   */
  private async afterFailedCall(provider: string, claimed: CredentialRecord, error: unknown): Promise<unknown> {
    const answered = error instanceof UpstreamError && error.details.status !== undefined && error.details.status >= 300;
    if (!answered) return error;
    try {
      await this.credentials.put(provider, withClaim(claimed.values, undefined), claimed.version);
    } catch (cause) {
      if (cause instanceof CredentialConflictError && error.reason === 'invalid_grant') {
        return new UpstreamError(provider, 'transient', 'superseded', 'Credentials changed while the refresh ran; retrying with the new ones');
      }
    }
    return error;
  }
}
