import { Logger } from '@nestjs/common';
import { UpstreamHttpClient } from '../core/upstream-http-client';
import { OAuth2EndpointSettings } from './oauth2-settings';
import { oauth2Failure, readOAuth2Answer } from './oauth2-token-response';

/** One token-endpoint answer, with its expiry resolved. */
export interface OAuth2Grant {
  accessToken: string;
  tokenType: string;
  expiresAt: number;
  /** Absent when the answer carried none: the client keeps the one it has (RFC 6749 §6). */
  refreshToken?: string;
}

/** One for all instances: there can be thousands, and each message names its provider. */
const logger = new Logger('OAuth2TokenEndpoint');

/**
 * One provider instance's token endpoint, whatever the grant (RFC 6749 §4.4, §6): builds the request
 * in the configured body format, authenticates the client exactly one way (§2.3: a Basic header
 * *or* body parameters, never both), and maps the answer.
 */
export class OAuth2TokenEndpoint {
  private saidDefaultLifetime = false;

  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly provider: string,
    private readonly settings: OAuth2EndpointSettings,
  ) {}

  /**
   * `credentials` hold `client_id` and `client_secret` (the types' credential DTOs require both). The
   * configured scope goes with every grant that takes one; the code exchange does not (§4.1.3).
   */
  async request(grant: Record<string, string>, credentials: Record<string, string>, { withScope = true } = {}): Promise<OAuth2Grant> {
    const { tokenUrl, scope, bodyFormat, clientAuth } = this.settings;
    const headers: Record<string, string> = { accept: 'application/json', ...this.settings.headers };
    const params: Record<string, string> = { ...grant, ...(scope && withScope ? { scope } : {}) };
    if (clientAuth === 'basic') {
      // RFC 6749 2.3.1: both parts form-encoded before they are joined
      const pair = `${encodeURIComponent(credentials.client_id)}:${encodeURIComponent(credentials.client_secret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      Object.assign(params, { client_id: credentials.client_id, client_secret: credentials.client_secret });
    }
    headers['content-type'] = bodyFormat === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    const body = bodyFormat === 'json' ? JSON.stringify(params) : new URLSearchParams(params).toString();

    // lifetimes count from when we asked: a slow answer must not stretch the expiry we believe in
    const sentAt = Date.now();
    const response = await this.http.send(this.provider, { method: 'POST', url: tokenUrl, headers, body });
    if (response.status < 200 || response.status >= 300) throw oauth2Failure(this.provider, response);
    const answer = readOAuth2Answer(this.provider, response, sentAt);
    return { ...answer, expiresAt: answer.expiresAt ?? this.assumeDefaultLifetime(sentAt) };
  }

  /** Once per provider: a server that never sends `expires_in` would otherwise fill the log. */
  private assumeDefaultLifetime(sentAt: number): number {
    if (!this.saidDefaultLifetime) {
      const assumed = this.settings.defaultLifetime;
      logger.warn(`${this.provider}: the token answer has no expires_in and no JWT exp; assuming defaultLifetime ${assumed}s`);
      this.saidDefaultLifetime = true;
    }
    return sentAt + this.settings.defaultLifetime * 1000;
  }
}
