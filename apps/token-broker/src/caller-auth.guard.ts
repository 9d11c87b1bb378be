import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { InjectBrokerConfig, type BrokerConfig, type CallerConfig } from '@app/config';
import { ForbiddenError, UnauthorizedError } from '@app/errors';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { readBearerCredential, type AuthorizedRequest } from './bearer-credential';
import { parseProviderId } from './provider-id';

/** What the guard leaves on the request for the controller, the throttler and the audit log. */
export interface CallerRequest extends AuthorizedRequest {
  params: Record<string, string>;
  id: string;
  ip: string;
  caller?: string;
}

/**
 * `GET /tokens` needs `Authorization: Bearer <caller key>`. Callers are known by the SHA-256 of
 * their key (CALLERS_FILE), looked up in one map and compared in constant time, and may fetch only
 * the providers their `allow` list names.
 */
@Injectable()
export class CallerAuthGuard implements CanActivate {
  private readonly byHash = new Map<string, { caller: CallerConfig; hash: Buffer }>();
  private readonly missingHint: string;

  constructor(
    @InjectBrokerConfig() config: BrokerConfig,
    private readonly throttle: AuthFailureThrottle,
  ) {
    for (const caller of config.callers) this.byHash.set(caller.keySha256, { caller, hash: Buffer.from(caller.keySha256, 'hex') });
    this.missingHint = config.callersFileMissing
      ? `; no callers are configured: create ${config.callersFile} (npm run cli -- callers new <name>)`
      : '';
    if (config.callersFileMissing) {
      new Logger('Callers').warn(`${config.callersFile} does not exist: every GET /tokens call is refused until callers are configured`);
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const key = readBearerCredential(request);
    if (!key) throw new UnauthorizedError(`GET /tokens needs Authorization: Bearer <caller key>${this.missingHint}`);
    const hash = createHash('sha256').update(key).digest();
    const entry = this.byHash.get(hash.toString('hex'));
    if (!entry || !timingSafeEqual(hash, entry.hash)) {
      await this.throttle.failed(request.ip);
      throw new UnauthorizedError(`Unknown caller key${this.missingHint}`);
    }
    // checked before it is named in an answer: a raw id may hold anything, NUL bytes included
    const provider = parseProviderId(request.params.provider);
    if (entry.caller.allow !== '*' && !entry.caller.allow.includes(provider)) {
      throw new ForbiddenError(`Caller "${entry.caller.name}" may not fetch tokens for "${provider}"`);
    }
    request.caller = entry.caller.name;
    return true;
  }
}
