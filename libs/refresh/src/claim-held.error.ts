import { LockUnavailableError } from '@app/errors';

/**
 * A live holder's claim stands on the provider's credentials (it may hold no lock: Redis may have
 * lost it). Callers wait for its outcome rather than spin; past their wait it surfaces as a
 * LockUnavailableError.
 */
export class ClaimHeldError extends LockUnavailableError {
  constructor(provider: string) {
    super(`claim:${provider}`);
  }
}
