import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectCredentialStore, type CredentialRecord, type CredentialStore } from '@app/credentials';
import { CredentialConflictError, CredentialsMissingError, ReauthorizationRequiredError, UpstreamError } from '@app/errors';
import type { IssuedToken, ProviderInstance } from '@app/providers';
import { ClaimHeldError } from './claim-held.error';
import { ClaimLease } from './claim-lease';
import { fingerprint, publicFields, readClaim, readRefusal, withClaim, withRefusal, type RefreshClaim } from './refresh-claim';
import { outboxWaiting, RefreshOutbox } from './refresh-outbox.service';
import { REFRESH_OPTIONS, type RefreshModuleOptions } from './refresh.module-definition';

/** A refresh whose rotated credentials are issued; `durable` is false while they wait in the outbox. */
export interface RotatedRefresh {
  issued: IssuedToken;
  /** The credential-store version the token was obtained under: the token store's fence. */
  fence: number;
  durable: boolean;
}

export interface RotationSteps {
  /** Aborted when the lock was lost: no claim is taken after that. */
  lockSignal: AbortSignal;
  /** Runs right before the claim, so only a call that will happen spends a rate slot. */
  beforeUpstreamCall(): Promise<void>;
}

/**
 * The protocol for single-use refresh tokens (README "Refresh protocol"). Runs under the provider
 * lock but never trusts it: the credential store's version is the fence.
 *   1. commit any outbox first;  2. refuse a chain the upstream refused;  3. claim with check-and-set;
 *   4. call the upstream, renewing the claim meanwhile;  5. outbox, then commit with check-and-set.
 */
@Injectable()
export class RotatingCredentialRefresh {
  private readonly logger = new Logger(RotatingCredentialRefresh.name);

  constructor(
    @Inject(REFRESH_OPTIONS) private readonly options: Pick<RefreshModuleOptions, 'lockTtlMs'>,
    @InjectCredentialStore() private readonly credentials: CredentialStore,
    private readonly outbox: RefreshOutbox,
  ) {}

  async refresh(instance: ProviderInstance, steps: RotationSteps): Promise<RotatedRefresh> {
    const provider = instance.id;
    if (!(await this.outbox.settle(provider))) throw outboxWaiting(provider);
    const record = await this.readRecord(provider);
    const previous = readClaim(record.values);
    if (previous && previous.deadline > Date.now()) throw new ClaimHeldError(provider);
    if (previous)
      this.logger.warn(`${provider}: claim ${previous.attemptId} expired with unknown outcome; presenting its refresh token once more`);
    steps.lockSignal.throwIfAborted();
    await steps.beforeUpstreamCall();

    const claimedAt = Date.now();
    const claim: RefreshClaim = { attemptId: randomUUID(), deadline: claimedAt + this.options.lockTtlMs, recovering: !!previous };
    const lease = new ClaimLease(this.credentials, provider, await this.claim(provider, record, claim), claim, this.options.lockTtlMs);
    await lease.begin(claimedAt);
    let issued: IssuedToken;
    try {
      // from here only the upstream timeout ends the call: the token is being spent, its answer must be kept
      issued = await instance.client.requestToken({ credentials: publicFields(record.values) });
    } catch (error) {
      throw await this.afterFailedCall(provider, await lease.end(), claim, error);
    }
    return this.keep(provider, issued, lease, claim, record);
  }

  private async readRecord(provider: string): Promise<CredentialRecord> {
    const record = await this.credentials.get(provider);
    if (!record?.values.refresh_token) throw new CredentialsMissingError(provider);
    const refusal = readRefusal(record.values);
    if (refusal) throw new ReauthorizationRequiredError(provider, refusal.code, refusal.message);
    return record;
  }

  private async claim(provider: string, record: CredentialRecord, claim: RefreshClaim): Promise<CredentialRecord> {
    try {
      return await this.credentials.put(provider, withClaim(record.values, claim), record.version);
    } catch (error) {
      if (error instanceof CredentialConflictError) throw new ClaimHeldError(provider); // another replica claimed first
      throw error;
    }
  }

  /**
   * Outbox first, then the commit: an answer that arrived is never dropped. The claim stands until the
   * answer is parked: a Redis failover holds the outbox copy for seconds, and a claim that lapsed
   * meanwhile would let another replica present the token the upstream just took.
   */
  private async keep(
    provider: string,
    issued: IssuedToken,
    lease: ClaimLease,
    claim: RefreshClaim,
    spentFrom: CredentialRecord,
  ): Promise<RotatedRefresh> {
    const pending = {
      rotated: issued.rotatedCredentials ?? {},
      baseVersion: lease.current.version,
      attemptId: claim.attemptId,
      spent: fingerprint(spentFrom.values.refresh_token),
      since: Date.now(),
    };
    await this.outbox.save(provider, pending);
    const claimed = await lease.end();
    const outcome = await this.outbox.commit(provider, pending);
    if (outcome.kind === 'refused') {
      this.outbox.retryLater(provider, 1);
      return { issued, fence: claimed.version, durable: false };
    }
    return { issued, fence: outcome.kind === 'committed' ? outcome.record.version : claimed.version, durable: true };
  }

  /**
   * An answer from the upstream (4xx/5xx) means the token was not spent: drop the claim, or mark the
   * chain refused when the answer says so. No answer (timeout, broken connection) leaves the outcome
   * unknown: the claim stays until its lease runs out and the next holder presents the token once more.
   * A refusal is final only if nobody changed the credentials meanwhile.
   */
  private async afterFailedCall(provider: string, claimed: CredentialRecord, claim: RefreshClaim, error: unknown): Promise<unknown> {
    const answered = error instanceof UpstreamError && error.details.status !== undefined && error.details.status >= 300;
    if (!answered) return error;
    const refused = error.kind === 'permanent';
    // the provider's message says what to look at (grant, client, scope); ours says what happened before it
    const after = claim.recovering
      ? ', after an earlier attempt ended with unknown outcome (a replica died or lost its connection after sending it)'
      : '';
    const message = `${error.message}${after}. Store new credentials with PUT /admin/credentials/${provider}`;
    const values = refused
      ? withRefusal(claimed.values, { code: error.reason, message, at: Date.now() })
      : withClaim(claimed.values, undefined);
    try {
      await this.credentials.put(provider, values, claimed.version);
    } catch (cause) {
      if (refused && cause instanceof CredentialConflictError) {
        return new UpstreamError(
          provider,
          'transient',
          'superseded',
          'Credentials changed while the refresh ran; retrying with the new ones',
        );
      }
      this.logger.warn(`${provider}: claim ${claim.attemptId} not released (${(cause as Error).message}); it expires by itself`);
    }
    return refused ? new ReauthorizationRequiredError(provider, error.reason, message, { cause: error }) : error;
  }
}
