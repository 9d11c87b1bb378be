import { once } from 'node:events';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { UpstreamError } from '@app/errors';
import { PROVIDERS_OPTIONS, type ProvidersModuleOptions } from '../providers.module-definition';

/** Token responses are small; anything bigger is garbage we refuse to buffer. */
const MAX_BODY_BYTES = 64 * 1024;

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface UpstreamResponse {
  status: number;
  contentType: string;
  text: string;
  /** From a Retry-After header, when present and sane. */
  retryAfterMs?: number;
}

/** Idle keep-alive connections close after this long, or sooner when the upstream's Keep-Alive header says so. */
const IDLE_SOCKET_MS = 4_000;

/**
 * The only way provider clients talk HTTP: every call has a timeout, a body cap, and failures
 * become `UpstreamError`s whose messages never quote a body (it may hold a secret). Redirects are
 * not followed: a token request must reach the endpoint it was configured for.
 *
 * node:http, not fetch: every fetch response is registered for finalization, which keeps the whole
 * request's objects alive until a full GC, so a busy scheduler's heap grew by megabytes a second.
 */
@Injectable()
export class UpstreamHttpClient implements OnApplicationShutdown {
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    https: new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  };

  constructor(@Inject(PROVIDERS_OPTIONS) private readonly options: Pick<ProvidersModuleOptions, 'upstreamTimeoutMs'>) {}

  async send(provider: string, request: UpstreamRequest): Promise<UpstreamResponse> {
    let call: ClientRequest | undefined;
    // the timeout is the only thing that ends a call: a refresh token sent upstream is being spent, its answer must be awaited
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      call?.destroy(new Error('upstream timeout'));
    }, this.options.upstreamTimeoutMs);
    try {
      call = this.open(request);
      const answered = once(call, 'response') as Promise<[IncomingMessage]>;
      call.end(request.body);
      const [response] = await answered;
      const status = response.statusCode!;
      const text = await readCapped(response, provider);
      if (status >= 300 && status < 400) throw redirected(provider, status);
      return {
        status,
        contentType: response.headers['content-type'] ?? '',
        text,
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      };
    } catch (error) {
      call?.destroy();
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError(
        provider,
        'transient',
        timedOut ? 'timeout' : 'network_error',
        timedOut
          ? `Upstream did not answer within ${this.options.upstreamTimeoutMs}ms`
          : `Upstream could not be reached (${describeNetworkError(error)})`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private open(request: UpstreamRequest): ClientRequest {
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const call = (secure ? httpsRequest : httpRequest)(url, {
      method: request.method,
      headers: { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': Buffer.byteLength(request.body) }) },
      agent: secure ? this.agents.https : this.agents.http,
    });
    // failures reach the caller through 'response' and the body; one after the answer must not go unhandled
    call.on('error', () => undefined);
    return call;
  }

  onApplicationShutdown(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}

async function readCapped(response: IncomingMessage, provider: string): Promise<string> {
  if (Number(response.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge(provider);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge(provider);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function redirected(provider: string, status: number): UpstreamError {
  return new UpstreamError(
    provider,
    'transient',
    `http_${status}`,
    `Upstream answered with a redirect (HTTP ${status}); token requests do not follow redirects: check the configured URL`,
    { status },
  );
}

function tooLarge(provider: string): UpstreamError {
  return new UpstreamError(provider, 'transient', 'malformed_response', `Upstream answered with a body over ${MAX_BODY_BYTES} bytes`);
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 3_600_000) : undefined;
}

function describeNetworkError(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).name ?? 'error';
}
