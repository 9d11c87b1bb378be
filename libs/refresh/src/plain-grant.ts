import { Injectable } from '@nestjs/common';
import { CachedCredentials } from '@app/credentials';
import { CredentialsMissingError, UpstreamError } from '@app/errors';
import type { IssuedToken, ProviderInstance } from '@app/providers';
import type { StoredToken } from '@app/token-store';
import { publicFields } from './refresh-claim';

/**
 * A grant that spends no single-use secret (client credentials, a signed request, an API-key
 * login), with or without Redis. Credentials come from the short cache, so a refusal is retried
 * once when the store has newer ones: an admin may have just replaced what the cache still holds.
 */
@Injectable()
export class PlainGrant {
  constructor(private readonly credentials: CachedCredentials) {}

  /** `beforeUpstreamCall` runs before each call, so every call made spends a rate slot. */
  async request(
    instance: ProviderInstance,
    current: StoredToken | undefined,
    beforeUpstreamCall: () => Promise<void>,
  ): Promise<IssuedToken> {
    const record = await this.credentials.get(instance.id);
    if (!record) throw new CredentialsMissingError(instance.id);
    await beforeUpstreamCall();
    try {
      return await instance.client.requestToken({ credentials: publicFields(record.values), current });
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.kind !== 'permanent') throw error;
      const fresh = await this.credentials.getFresh(instance.id);
      if (!fresh || fresh.version === record.version) throw error;
      await beforeUpstreamCall();
      return instance.client.requestToken({ credentials: publicFields(fresh.values), current });
    }
  }
}
