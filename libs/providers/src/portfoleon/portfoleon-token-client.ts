import { Logger } from '@nestjs/common';
import { UpstreamError } from '@app/errors';
import { IssuedToken, TokenClient, TokenRequest } from '../core/provider-type';
import { UpstreamHttpClient, UpstreamResponse } from '../core/upstream-http-client';
import { failureFromResponse, parseJsonObject, requireString } from '../core/upstream-response';
import { portfoleonErrorCode, readPortfoleonExpiry } from './portfoleon-token';

export interface PortfoleonEndpoints {
  tokenUrl: string;
  refreshUrl: string;
  /** Lifetime to assume when the token's header has no readable `exp`. */
  fallbackLifetimeSeconds: number;
}

/** One for all instances: there can be thousands, and each message names its provider. */
const logger = new Logger('PortfoleonTokenClient');

/**
 * Portfoleon: a token from the API key; before expiry, a forced refresh with the current token.
 * "Token expired" and "Authentication expired" both end the refresh chain: log in again with the
 * API key, and only if that fails is the provider in need of a person.
 */
export class PortfoleonTokenClient implements TokenClient {
  private warnedNoExpiry = false;

  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly provider: string,
    private readonly endpoints: PortfoleonEndpoints,
  ) {}

  async requestToken({ credentials, current }: TokenRequest): Promise<IssuedToken> {
    if (current && current.expiresAt > Date.now()) {
      const refreshed = await this.refresh(current.accessToken);
      if (refreshed && refreshed.accessToken !== current.accessToken) return refreshed;
    }
    return this.login(credentials.api_key);
  }

  /**
   * `force=true`: without it Portfoleon returns the same token while it is valid. Undefined = log in
   * instead: "Token expired", "Authentication expired" or any other refusal of the old token ends
   * the chain; only a transient failure is worth reporting as such.
   */
  private async refresh(b64token: string): Promise<IssuedToken | undefined> {
    const response = await this.http.send(this.provider, {
      method: 'GET',
      url: `${this.endpoints.refreshUrl}?force=true`,
      headers: { authorization: `Bearer ${b64token}`, accept: 'application/json' },
    });
    if (response.status >= 200 && response.status < 300) return this.mapToken(response);
    const failure = failureFromResponse(this.provider, response, portfoleonErrorCode(tryJson(this.provider, response)));
    if (failure.kind === 'transient') throw failure;
    logger.log(`${this.provider}: refresh refused (${failure.reason}); logging in with the API key`);
    return undefined;
  }

  private async login(apiKey: string): Promise<IssuedToken> {
    const response = await this.http.send(this.provider, {
      method: 'POST',
      url: this.endpoints.tokenUrl,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ api_key: apiKey }),
    });
    if (response.status < 200 || response.status >= 300) throw failureFromResponse(this.provider, response);
    return this.mapToken(response);
  }

  private mapToken(response: UpstreamResponse): IssuedToken {
    const b64token = requireString(this.provider, parseJsonObject(this.provider, response), 'b64token');
    let expiresAt = readPortfoleonExpiry(b64token);
    if (expiresAt === undefined) {
      if (!this.warnedNoExpiry)
        logger.warn(`${this.provider}: token header has no readable "exp"; assuming ${this.endpoints.fallbackLifetimeSeconds}s`);
      this.warnedNoExpiry = true;
      expiresAt = Date.now() + this.endpoints.fallbackLifetimeSeconds * 1000;
    }
    if (expiresAt <= Date.now())
      throw new UpstreamError(this.provider, 'transient', 'malformed_response', 'Upstream issued a token that is already expired');
    return { accessToken: b64token, tokenType: 'Bearer', expiresAt };
  }
}

function tryJson(provider: string, response: UpstreamResponse): Record<string, unknown> | undefined {
  try {
    return parseJsonObject(provider, response);
  } catch {
    return undefined;
  }
}
