import { Inject, Injectable } from '@nestjs/common';
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

/**
 * The only way provider clients talk HTTP: every call has a timeout, a body cap, and failures
 * become `UpstreamError`s whose messages never quote a body (it may hold a secret).
 */
@Injectable()
export class UpstreamHttpClient {
  constructor(@Inject(PROVIDERS_OPTIONS) private readonly options: Pick<ProvidersModuleOptions, 'upstreamTimeoutMs'>) {}

  async send(provider: string, request: UpstreamRequest): Promise<UpstreamResponse> {
    // the timeout is the only thing that ends a call: a refresh token sent upstream is being spent, its answer must be awaited
    const timeout = AbortSignal.timeout(this.options.upstreamTimeoutMs);
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: timeout,
        redirect: 'error',
      });
      const text = await readCapped(response, provider);
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        text,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      };
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      const timedOut = timeout.aborted;
      throw new UpstreamError(
        provider,
        'transient',
        timedOut ? 'timeout' : 'network_error',
        timedOut
          ? `Upstream did not answer within ${this.options.upstreamTimeoutMs}ms`
          : `Upstream could not be reached (${describeNetworkError(error)})`,
        { cause: error },
      );
    }
  }
}

async function readCapped(response: Response, provider: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw tooLarge(provider);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(provider);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(provider: string): UpstreamError {
  return new UpstreamError(provider, 'transient', 'malformed_response', `Upstream answered with a body over ${MAX_BODY_BYTES} bytes`);
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 3_600_000) : undefined;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).name ?? 'error';
}
