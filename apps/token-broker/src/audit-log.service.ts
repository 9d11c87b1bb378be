import { Injectable, Logger } from '@nestjs/common';

/** `connect_started` and `connected`: a person began, and finished, authorizing a provider in a browser. */
type AdminAction = 'credentials_written' | 'credentials_deleted' | 'forced_refresh' | 'connect_started' | 'connected';

/**
 * One structured line per admin action. (A token handed out is audited in its request's own line:
 * caller, token fingerprint and expiry; see request-observer.ts.)
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('Audit');

  adminAction(event: { action: AdminAction; provider: string; requestId: string }): void {
    this.write({ event: event.action, caller: 'admin', provider: event.provider, reqId: event.requestId });
  }

  /** Fields at the top level of the JSON log line, so log pipelines can index them. */
  private write(entry: Record<string, string>): void {
    this.logger.log({ msg: 'audit', ...entry });
  }
}
