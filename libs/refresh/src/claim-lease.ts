import { Logger } from '@nestjs/common';
import type { CredentialRecord, CredentialStore } from '@app/credentials';
import { CredentialConflictError } from '@app/errors';
import { ClaimHeldError } from './claim-held.error';
import { withClaim, type RefreshClaim } from './refresh-claim';

/**
 * Keeps a refresh claim alive while its holder's upstream call runs and until the answer is parked
 * in the outbox: the deadline is pushed to `now + leaseMs` every third of the lease, each time with
 * check-and-set. So only a dead holder's claim expires, however slow the upstream or Redis. The
 * lease must be well above the store's write latency.
 */
export class ClaimLease {
  private readonly logger = new Logger(ClaimLease.name);
  private timer?: NodeJS.Timeout;
  private renewal: Promise<void> = Promise.resolve();
  private ended = false;
  /** Someone else wrote the record (a person, or a replica that took the claim over): stop renewing. */
  private lost = false;

  constructor(
    private readonly store: CredentialStore,
    private readonly provider: string,
    private record: CredentialRecord,
    private readonly claim: RefreshClaim,
    private readonly leaseMs: number,
  ) {}

  /**
   * Starts renewing. A claim whose write was slow may land with little of its lease left: renew it
   * first, so the holder never presents a token under a claim another replica may already see as expired.
   */
  async begin(claimWrittenAt: number): Promise<void> {
    if (Date.now() - claimWrittenAt > this.leaseMs / 3) {
      await this.renew();
      if (this.lost) throw new ClaimHeldError(this.provider);
    }
    this.schedule();
  }

  /** The record as last written by this holder, while renewals go on. */
  get current(): CredentialRecord {
    return this.record;
  }

  /** Stops renewing and returns the record as last written by this holder (the version to commit against). */
  async end(): Promise<CredentialRecord> {
    this.ended = true;
    clearTimeout(this.timer);
    await this.renewal;
    return this.record;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.renewal = this.renew().then(() => {
        if (!this.ended && !this.lost) this.schedule();
      });
    }, this.leaseMs / 3);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const values = withClaim(this.record.values, { ...this.claim, deadline: Date.now() + this.leaseMs });
    try {
      this.record = await this.store.put(this.provider, values, this.record.version);
    } catch (error) {
      if (error instanceof CredentialConflictError) {
        this.lost = true;
        this.logger.warn(
          `${this.provider}: claim ${this.claim.attemptId} was overwritten while its call ran; the answer is committed only if it still fits`,
        );
      } else {
        this.logger.warn(`${this.provider}: claim ${this.claim.attemptId} could not be renewed (${(error as Error).message}); retrying`);
      }
    }
  }
}
