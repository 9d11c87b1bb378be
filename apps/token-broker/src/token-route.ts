import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '@app/errors';
import { TokenService } from '@app/refresh';
import { CallerAuthenticator } from './caller-authenticator';
import { CallerRateLimit } from './caller-rate-limit';
import { sendError } from './error-response';
import { GET_ONLY } from './request-edge';
import { parseProviderId } from './provider-id';
import { viewOf } from './token-view';

/** Longest minTtl accepted: a year, the longest lifetime of any documented provider. */
const MAX_MIN_TTL_SECONDS = 31_536_000;

/** Serialized by a compiled serializer (fast-json-stringify), not JSON.stringify. */
const TOKEN_ANSWER_SCHEMA = {
  type: 'object',
  required: ['provider', 'access_token', 'token_type', 'expires_at', 'expires_in'],
  properties: {
    provider: { type: 'string' },
    access_token: { type: 'string' },
    token_type: { type: 'string' },
    expires_at: { type: 'string' },
    expires_in: { type: 'integer' },
  },
} as const;

/** The audit fields of a token handed out: the request's one log line carries them (request-observer.ts). */
export interface TokenAudit {
  event: 'token_issued';
  caller: string;
  token_fingerprint: string;
  expires_at: string;
}

type TokenRequest = FastifyRequest<{ Params: { provider: string }; Querystring: { minTtl?: string | string[] } }> & { audit?: TokenAudit };

/**
 * `GET /tokens/:provider`, the hot path every calling service sits behind. It is a plain Fastify
 * route, not a Nest controller: per request it authenticates the caller (one hash, one map lookup),
 * checks its rate limit in memory, serves the token from this replica's near-cache when it can, and
 * leaves its audit fields for the one log line per request. Errors take the same `{error, message}`
 * answers as everywhere else. OpenAPI describes it in openapi/token-route.openapi.ts.
 */
@Injectable()
export class TokenRoute {
  constructor(
    private readonly tokens: TokenService,
    private readonly callers: CallerAuthenticator,
    private readonly limits: CallerRateLimit,
  ) {}

  register(fastify: FastifyInstance): void {
    fastify.decorateRequest('audit', undefined);
    fastify.get('/tokens/:provider', { config: GET_ONLY, schema: { response: { 200: TOKEN_ANSWER_SCHEMA } } }, (request, reply) =>
      this.answer(request as TokenRequest, reply),
    );
  }

  private async answer(request: TokenRequest, reply: FastifyReply): Promise<unknown> {
    try {
      const caller = await this.callers.authenticate(request);
      // checked before it is named in an answer: a raw id may hold anything, NUL bytes included
      const provider = parseProviderId(request.params.provider);
      this.callers.authorize(caller, provider);
      this.limits.take(caller.name);
      const token = await this.tokens.getToken(provider, parseMinTtl(request.query.minTtl));
      const view = viewOf(token);
      request.audit = { event: 'token_issued', caller: caller.name, token_fingerprint: view.fingerprint, expires_at: view.expiresAtIso };
      reply.header('cache-control', 'no-store');
      return {
        provider,
        access_token: token.accessToken,
        token_type: token.tokenType,
        expires_at: view.expiresAtIso,
        expires_in: Math.floor((token.expiresAt - Date.now()) / 1000),
      };
    } catch (error) {
      return sendError(reply, error);
    }
  }
}

function parseMinTtl(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) > MAX_MIN_TTL_SECONDS) {
    throw new InvalidRequestError(`minTtl must be a whole number of seconds from 0 to ${MAX_MIN_TTL_SECONDS}`);
  }
  return Number(value);
}
