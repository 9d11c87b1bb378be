import { Injectable, Logger } from '@nestjs/common';
import { hash } from 'node:crypto';
import type { CallerConfig } from '@app/config';
import { ForbiddenError, UnauthorizedError } from '@app/errors';
import { InjectAppSettings, type AppSettings } from './app-settings';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { readBearerCredential, type AuthorizedRequest } from './bearer-credential';

/**
 * `GET /tokens` needs `Authorization: Bearer <caller key>`. Callers are known by the SHA-256 of
 * their key (CALLERS_FILE): the key is hashed once and its hash looked up in one map (a lookup
 * that takes longer for some hashes than others tells nothing about a key). Wrong keys are slowed per client address; callers may fetch only what `allow` names.
 */
@Injectable()
export class CallerAuthenticator {
  private readonly byHash = new Map<string, CallerConfig>();
  private readonly missingHint: string;

  constructor(
    @InjectAppSettings() settings: Pick<AppSettings, 'callers' | 'callersFileState' | 'callersFile'>,
    private readonly throttle: AuthFailureThrottle,
  ) {
    for (const caller of settings.callers) this.byHash.set(caller.keySha256, caller);
    const noCallers = settings.callersFileState !== 'listed';
    this.missingHint = noCallers
      ? `; no callers are configured: add one to ${settings.callersFile} (npm run cli -- callers new <name>)`
      : '';
    if (noCallers) {
      const problem = settings.callersFileState === 'missing' ? 'does not exist' : 'lists no callers';
      new Logger('Callers').warn(`${settings.callersFile} ${problem}: every GET /tokens call is refused until callers are configured`);
    }
  }

  /**
   * The caller whose key the request carries, or undefined for a key no caller has (answer it with
   * refuseUnknown). Synchronous, so a known caller costs no promise. Throws when no key is sent.
   */
  identify(request: AuthorizedRequest): CallerConfig | undefined {
    const key = readBearerCredential(request);
    if (!key) throw new UnauthorizedError(`GET /tokens needs Authorization: Bearer <caller key>${this.missingHint}`);
    // one-shot hash: a third of createHash's cost on the hot path
    return this.byHash.get(hash('sha256', key, 'hex'));
  }

  /** Counts an unknown key against the client's address (past a few, the refusal is slowed), then refuses it. */
  async refuseUnknown(request: { ip: string }): Promise<never> {
    await this.throttle.failed(request.ip);
    throw new UnauthorizedError(`Unknown caller key${this.missingHint}`);
  }

  /** `provider` must already be a valid id: it is named in the answer. */
  authorize(caller: CallerConfig, provider: string): void {
    if (caller.allow !== '*' && !caller.allow.includes(provider)) {
      throw new ForbiddenError(`Caller "${caller.name}" may not fetch tokens for "${provider}"`);
    }
  }
}
