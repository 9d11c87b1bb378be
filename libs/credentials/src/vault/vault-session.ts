import { Logger } from '@nestjs/common';
import type { VaultCredentialStoreConfig } from '@app/config';
import { CredentialStoreUnavailableError } from '@app/errors';

const TIMEOUT_MS = 5_000;

export interface VaultResponse {
  status: number;
  body: { errors?: string[]; data?: unknown; auth?: { client_token: string; lease_duration: number; renewable: boolean } } | undefined;
}

/**
 * Talks to Vault's HTTP API with a valid token: a static VAULT_TOKEN, or an AppRole login that is
 * renewed at two thirds of its TTL and replaced by a fresh login when renewal fails or Vault
 * answers 403. Messages never include tokens or secret ids.
 */
export class VaultSession {
  private readonly logger = new Logger('Vault');
  private token?: string;
  private renewTimer?: NodeJS.Timeout;

  constructor(private readonly config: VaultCredentialStoreConfig) {
    if (config.auth.method === 'token') this.token = config.auth.token;
  }

  close(): void {
    clearTimeout(this.renewTimer);
  }

  /** One call with the current token; on 403 an AppRole session logs in again once and retries. */
  async request(method: string, path: string, body?: unknown): Promise<VaultResponse> {
    const response = await this.send(method, path, await this.currentToken(), body);
    if (response.status !== 403 || this.config.auth.method !== 'approle') return response;
    this.token = undefined;
    return this.send(method, path, await this.currentToken(), body);
  }

  private async currentToken(): Promise<string> {
    if (this.token) return this.token;
    if (this.config.auth.method !== 'approle') throw new CredentialStoreUnavailableError('Vault token is missing');
    const { roleId, secretId } = this.config.auth;
    const response = await this.send('POST', '/v1/auth/approle/login', undefined, { role_id: roleId, secret_id: secretId });
    const auth = response.body?.auth;
    if (response.status !== 200 || !auth?.client_token) throw vaultError('AppRole login', response);
    this.token = auth.client_token;
    this.scheduleRenewal(auth.lease_duration, auth.renewable);
    return this.token;
  }

  private scheduleRenewal(leaseSeconds: number, renewable: boolean): void {
    clearTimeout(this.renewTimer);
    if (!leaseSeconds) return;
    this.renewTimer = setTimeout(() => void this.renew(renewable), (leaseSeconds * 1000 * 2) / 3);
    this.renewTimer.unref();
  }

  private async renew(renewable: boolean): Promise<void> {
    const token = this.token;
    if (!token) return;
    const response = renewable ? await this.send('POST', '/v1/auth/token/renew-self', token, {}).catch(() => undefined) : undefined;
    const auth = response?.body?.auth;
    if (response?.status === 200 && auth) {
      this.scheduleRenewal(auth.lease_duration, auth.renewable);
    } else {
      this.logger.warn('Vault token could not be renewed; logging in again on next use');
      this.token = undefined;
    }
  }

  private async send(method: string, path: string, token: string | undefined, body?: unknown): Promise<VaultResponse> {
    let response: Response;
    try {
      response = await fetch(`${this.config.address}${path}`, {
        method,
        headers: { ...(token ? { 'x-vault-token': token } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new CredentialStoreUnavailableError(`Vault at ${this.config.address} is unreachable`, { cause: error });
    }
    const text = await response.text();
    try {
      return { status: response.status, body: text ? (JSON.parse(text) as VaultResponse['body']) : undefined };
    } catch {
      return { status: response.status, body: undefined };
    }
  }
}

/** Vault's `{"errors": [...]}` carry no secrets; keep the first, short. */
export function vaultError(what: string, response: VaultResponse): CredentialStoreUnavailableError {
  const detail = response.body?.errors?.[0]?.split('\n')[0].slice(0, 200);
  return new CredentialStoreUnavailableError(`Vault ${what} failed: HTTP ${response.status}${detail ? ` (${detail})` : ''}`);
}
