import { Injectable } from '@nestjs/common';
import { CachedCredentials, InjectCredentialStore, type CredentialRecord, type CredentialStore } from '@app/credentials';
import { CredentialConflictError } from '@app/errors';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { ProviderStatusRecorder } from './provider-status-recorder.service';
import { CLAIM_FIELD, readClaim } from './refresh-claim';
import { assertTokenStoreReachable } from './token-store-reachability';

/**
 * What happens when a person stores or removes a provider's credentials, as far as the refresh
 * protocol is concerned: the new values replace everything, refusal marks included, and a "needs a
 * person" state or backoff ends on every replica at once.
 */
@Injectable()
export class CredentialReplacer {
  constructor(
    @InjectCredentialStore() private readonly credentials: CredentialStore,
    @InjectTokenStore() private readonly tokens: TokenStore,
    private readonly cache: CachedCredentials,
    private readonly status: ProviderStatusRecorder,
  ) {}

  async replace(provider: string, values: Record<string, string>): Promise<CredentialRecord> {
    const record = await this.write(provider, values);
    this.cache.invalidate(provider);
    await this.status.credentialsReplaced(provider);
    return record;
  }

  /**
   * For a person's change, before anything changes: refused at once while Redis is known to be
   * away. The states new credentials reset (and the token a removal drops) are kept there, and half
   * a change would leave a provider needing a person with good credentials stored; the person still
   * holds the values and can send them again.
   */
  refuseWhileStoreAway(): void {
    assertTokenStoreReachable(this.tokens, 'credentials not changed (provider states are kept there); send them again once it is back');
  }

  /** Removes the credentials and the cached token: the provider stops being served until seeded again. */
  async remove(provider: string): Promise<void> {
    await this.credentials.delete(provider);
    this.cache.invalidate(provider);
    await this.tokens.delete(provider);
  }

  /**
   * Keeps only a live claim on the very refresh token stored again: that token is being spent right
   * now, and dropping the claim would let another replica present it too.
   */
  private async write(provider: string, values: Record<string, string>): Promise<CredentialRecord> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.credentials.get(provider);
      const claim = current && readClaim(current.values);
      const spending = claim && claim.deadline > Date.now() && current.values.refresh_token === values.refresh_token;
      try {
        return await this.credentials.put(
          provider,
          spending ? { ...values, [CLAIM_FIELD]: current.values[CLAIM_FIELD] } : values,
          current?.version ?? 0,
        );
      } catch (error) {
        // a refresh wrote in between: look again (a claim renews every few seconds, so this settles at once)
        if (!(error instanceof CredentialConflictError) || attempt === 5) throw error;
      }
    }
  }
}
