import type { FastifyInstance } from 'fastify';
import type { RequestLineWriter } from '@app/logging';
import type { BrokerMetrics } from '@app/metrics';
import type { ProviderRegistry } from '@app/providers';
import type { TokenAudit } from './token-route';

/**
 * One counter increment and one log line per answered request: method, route template, provider,
 * status, duration and request id, plus the audit fields of a token handed out (caller, token
 * fingerprint, expiry). Never the URL's query, a header or a body, so no caller key, admin token or
 * token can reach it. Unknown provider ids share one label so callers cannot grow the metric series
 * or write arbitrary text into the log.
 */
export function observeRequests(
  fastify: FastifyInstance,
  lines: RequestLineWriter,
  metrics: BrokerMetrics,
  providers: ProviderRegistry,
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const given = (request.params as { provider?: string } | undefined)?.provider;
    const provider = given === undefined ? '' : providers.has(given) ? given : 'unknown';
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    metrics.requests.inc({ route, provider, status: String(status) });
    const audit = (request as { audit?: TokenAudit }).audit;
    lines.write(status >= 500 ? 'warn' : 'info', {
      reqId: request.id,
      method: request.method,
      route,
      provider: provider || undefined,
      status,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      event: audit?.event,
      caller: audit?.caller,
      token_fingerprint: audit?.token_fingerprint,
      expires_at: audit?.expires_at,
    });
    done();
  });
}
