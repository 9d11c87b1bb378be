import { requestToken, type BrokerToken, type RequestPolicy } from './broker-request';

export interface TokenBrokerClientOptions {
  /** The broker's base URL, e.g. `http://token-broker:3000`; a path prefix is kept. */
  url: string | URL;
  /** This service's caller key; sent only as the Bearer header, never logged or put in an error. */
  callerKey: string;
  /** Per HTTP request, body included. Default 30 s: above the broker's own worst case (`LOCK_WAIT_MS`, then an upstream call). */
  timeoutMs?: number;
  /** HTTP requests per `token()` call, retries included, when the broker answers 429, 502, 503, 504 or cannot be reached. Default 3. */
  maxAttempts?: number;
  /** Most time one `token()` call waits between attempts; a longer Retry-After fails at once. Default 10 s. */
  maxRetryWaitMs?: number;
  /** A cached token is replaced this long before it expires, or when a tenth of its lifetime is left if that is sooner. Default 30 s. */
  refreshMarginMs?: number;
  /** Node's global fetch by default. */
  fetch?: typeof fetch;
}

export interface TokenOptions {
  /** Seconds the token must still be valid; the broker refreshes first if needed. */
  minTtl?: number;
}

/** The broker's provider ids; checked here so an id cannot turn into another path. */
const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

interface CachedToken {
  token: BrokerToken;
  replaceAt: number;
}

interface PendingRequest {
  minTtl: number;
  token: Promise<BrokerToken>;
}

/**
 * Fetches tokens from the token broker for one calling service. Each provider's token is kept
 * until shortly before it expires, and concurrent calls share one HTTP request, so a service asks
 * the broker about once per token lifetime however often it calls `token()`.
 */
export class TokenBrokerClient {
  readonly #baseUrl: URL;
  readonly #callerKey: string;
  readonly #policy: RequestPolicy;
  readonly #refreshMarginMs: number;
  readonly #cache = new Map<string, CachedToken>();
  readonly #pending = new Map<string, PendingRequest[]>();

  constructor(options: TokenBrokerClientOptions) {
    this.#baseUrl = baseUrl(options.url);
    if (typeof options.callerKey !== 'string' || options.callerKey.trim() === '') {
      throw new TypeError('callerKey must be a non-empty string');
    }
    this.#callerKey = options.callerKey;
    this.#policy = {
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: wholeNumber('timeoutMs', options.timeoutMs, 30_000),
      maxAttempts: wholeNumber('maxAttempts', options.maxAttempts, 3),
      maxRetryWaitMs: wholeNumber('maxRetryWaitMs', options.maxRetryWaitMs, 10_000, 0),
    };
    this.#refreshMarginMs = wholeNumber('refreshMarginMs', options.refreshMarginMs, 30_000, 0);
  }

  /** A token for `provider` with at least `minTtl` seconds left: the cached one, or a new one from the broker. */
  async token(provider: string, options: TokenOptions = {}): Promise<BrokerToken> {
    if (typeof provider !== 'string' || !PROVIDER_ID.test(provider)) throw new RangeError(`provider must match ${PROVIDER_ID}`);
    const minTtl = options.minTtl ?? 0;
    if (!Number.isInteger(minTtl) || minTtl < 0) throw new RangeError('minTtl must be a whole number of seconds, 0 or more');
    const token = this.#cached(provider, minTtl) ?? (await this.#shared(provider, minTtl));
    // a copy, so a caller changing its Date cannot change what others get
    return { ...token, expiresAt: new Date(token.expiresAt) };
  }

  #cached(provider: string, minTtl: number): BrokerToken | undefined {
    const entry = this.#cache.get(provider);
    const now = Date.now();
    if (!entry || now >= entry.replaceAt || entry.token.expiresAt.getTime() - now < minTtl * 1000) return undefined;
    return entry.token;
  }

  /** Joins a request already on its way whose minTtl covers this one, or starts one. */
  #shared(provider: string, minTtl: number): Promise<BrokerToken> {
    const pending = this.#pending.get(provider) ?? [];
    const covering = pending.find((request) => request.minTtl >= minTtl);
    if (covering) return covering.token;
    const request: PendingRequest = { minTtl, token: this.#fetch(provider, minTtl) };
    request.token = request.token.finally(() => {
      const left = (this.#pending.get(provider) ?? []).filter((other) => other !== request);
      if (left.length > 0) this.#pending.set(provider, left);
      else this.#pending.delete(provider);
    });
    this.#pending.set(provider, [...pending, request]);
    return request.token;
  }

  async #fetch(provider: string, minTtl: number): Promise<BrokerToken> {
    const url = new URL(`tokens/${provider}`, this.#baseUrl);
    if (minTtl > 0) url.searchParams.set('minTtl', String(minTtl));
    const token = await requestToken(url, this.#callerKey, provider, this.#policy);
    this.#remember(token);
    return token;
  }

  /** Keeps the token that lives longest; short-lived tokens are replaced when a tenth of their life is left. */
  #remember(token: BrokerToken): void {
    const expiresAt = token.expiresAt.getTime();
    const current = this.#cache.get(token.provider);
    if (current && current.token.expiresAt.getTime() >= expiresAt) return;
    const margin = Math.min(this.#refreshMarginMs, (expiresAt - Date.now()) / 10);
    this.#cache.set(token.provider, { token, replaceAt: expiresAt - margin });
  }
}

function baseUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new TypeError('url must be an absolute http(s) URL, e.g. http://token-broker:3000');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('url must be an http(s) URL');
  // resolving tokens/... against it keeps a path prefix only if it ends in a slash
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

function wholeNumber(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number, ${min} or more`);
  return value;
}
