import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';

/**
 * One structured line per token handed out and per admin action. A token appears only as a short
 * fingerprint (SHA-256 prefix), enough to correlate with a provider's logs, useless to an attacker.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('Audit');

  tokenIssued(event: { caller: string; provider: string; accessToken: string; expiresAt: number; requestId: string }): void {
    this.write({
      event: 'token_issued',
      caller: event.caller,
      provider: event.provider,
      token_fingerprint: createHash('sha256').update(event.accessToken).digest('hex').slice(0, 12),
      expires_at: new Date(event.expiresAt).toISOString(),
      request_id: event.requestId,
    });
  }

  adminAction(event: { action: 'credentials_written' | 'credentials_deleted' | 'forced_refresh'; provider: string; requestId: string }): void {
    this.write({ event: event.action, caller: 'admin', provider: event.provider, request_id: event.requestId });
  }

  /** Fields at the top level of the JSON log line, so log pipelines can index them. */
  private write(entry: Record<string, string>): void {
    this.logger.log({ msg: 'audit', ...entry });
  }
}
