import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '@app/errors';
import { TokenService } from '@app/refresh';
import type { StoredToken } from '@app/token-store';
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

interface TokenAnswer {
  provider: string;
  access_token: string;
  token_type: string;
  expires_at: string;
  expires_in: number;
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

  /**
   * Synchronous up to the token: a near-cache answer (nearly every answer) is returned as a value,
   * which Fastify sends at once, without a promise; only a refresh or a store read waits.
   */
  private answer(request: TokenRequest, reply: FastifyReply): unknown {
    try {
      const caller = this.callers.identify(request);
      if (!caller) return this.callers.refuseUnknown(request).catch((error: unknown) => sendError(reply, error));
      // checked before it is named in an answer: a raw id may hold anything, NUL bytes included
      const provider = parseProviderId(request.params.provider);
      this.callers.authorize(caller, provider);
      this.limits.take(caller.name);
      const minTtl = parseMinTtl(request.query.minTtl);
      const cached = this.tokens.cachedToken(provider, minTtl);
      if (cached) return handOut(request, reply, caller.name, provider, cached);
      return this.tokens
        .getToken(provider, minTtl)
        .then((token) => handOut(request, reply, caller.name, provider, token))
        .catch((error: unknown) => sendError(reply, error));
    } catch (error) {
      return sendError(reply, error);
    }
  }
}

function handOut(request: TokenRequest, reply: FastifyReply, caller: string, provider: string, token: StoredToken): TokenAnswer {
  const view = viewOf(token);
  request.audit = { event: 'token_issued', caller, token_fingerprint: view.fingerprint, expires_at: view.expiresAtIso };
  reply.header('cache-control', 'no-store');
  return {
    provider,
    access_token: token.accessToken,
    token_type: token.tokenType,
    expires_at: view.expiresAtIso,
    expires_in: Math.floor((token.expiresAt - Date.now()) / 1000),
  };
}

function parseMinTtl(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) > MAX_MIN_TTL_SECONDS) {
    throw new InvalidRequestError(`minTtl must be a whole number of seconds from 0 to ${MAX_MIN_TTL_SECONDS}`);
  }
  return Number(value);
}
