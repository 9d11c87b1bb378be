import { HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  BrokerError,
  CallerRateLimitedError,
  MethodNotAllowedError,
  TooManyFailedAuthenticationsError,
  UpstreamUnavailableError,
} from '@app/errors';

/** HTTP status for each domain error code; anything unlisted is a 500. */
const STATUS_BY_CODE: Record<string, number> = {
  invalid_request: 400,
  invalid_credentials: 400,
  connect_state_invalid: 400,
  code_exchange_failed: 400,
  authorization_denied: 403,
  connect_unavailable: 409,
  unauthorized: 401,
  admin_disabled: 403,
  forbidden: 403,
  unknown_provider: 404,
  credentials_not_found: 404,
  method_not_allowed: 405,
  credential_conflict: 409,
  min_ttl_unattainable: 422,
  rate_limited: 429,
  too_many_failed_authentications: 429,
  credentials_missing: 503,
  upstream_unavailable: 503,
  reauthorization_required: 503,
  lock_unavailable: 503,
  token_store_unavailable: 503,
  credential_store_unavailable: 503,
  outbox_unreadable: 503,
  not_ready: 503,
};

/** Busy or briefly unreachable dependencies: worth retrying in a second. */
const RETRY_SOON_CODES = new Set(['lock_unavailable', 'token_store_unavailable', 'credential_store_unavailable']);

/** Codes for framework-level failures (unknown route, unparsable body, ...). */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  // the docs' static files refuse a path out of their folder
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  408: 'request_timeout',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  417: 'expectation_failed',
  429: 'rate_limited',
  431: 'headers_too_large',
};

/** Framework messages may quote the request (a content type, a URL, a header): only fixed text leaves. */
const FRAMEWORK_MESSAGES: Record<number, string> = {
  403: 'Not allowed',
  404: 'No such route',
  405: 'Method not allowed',
  408: 'The request did not arrive in time',
  413: 'Request body is too large',
  414: 'Request URL is too long',
  415: 'Send the body as application/json',
  417: 'The only expectation supported is Expect: 100-continue',
  429: 'Too many requests from this caller; see Retry-After',
  431: 'Request headers are too large',
};

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  retryAfter?: number;
}

const logger = new Logger('HttpErrors');

/**
 * The one mapping from errors to HTTP answers, always `{"error": code, "message": text}`: used by
 * the exception filter and by the token route, which runs outside Nest's pipeline. Messages come
 * from our own error classes, which never carry secrets or upstream bodies.
 */
export function describeError(exception: unknown, requestId: string): ErrorAnswer {
  if (exception instanceof BrokerError) {
    const status = STATUS_BY_CODE[exception.code] ?? 500;
    if (status === 500) logger.error({ msg: errorSummary(exception), reqId: requestId });
    return { status, code: exception.code, message: exception.message, retryAfter: retryAfterSeconds(exception) };
  }
  const status = exception instanceof HttpException ? exception.getStatus() : frameworkStatus(exception);
  if (status && status < 500) return { status, ...frameworkErrorBody(status, exception) };
  // the caller has the request id (x-request-id): with it, this line and the request's own are found
  // together. Only the stack is taken from the error: its other fields may hold anything.
  const msg = errorSummary(exception);
  logger.error({ msg, reqId: requestId, err: Object.assign(new Error(msg), { stack: (exception as Error)?.stack }) });
  return { status: 500, code: 'internal_error', message: 'Internal error; see the broker logs' };
}

/** What a log line may say of an error: our own errors' messages are safe, anything else only by name. */
export function errorSummary(exception: unknown): string {
  if (exception instanceof BrokerError) return `${exception.name}: ${exception.message}`;
  return `Unhandled ${(exception as Error)?.name ?? 'error'}`;
}

export function sendError(reply: FastifyReply, exception: unknown): FastifyReply {
  const { status, code, message, retryAfter } = describeError(exception, reply.request.id);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  if (exception instanceof MethodNotAllowedError) reply.header('allow', exception.allowed.join(', '));
  return reply.header('cache-control', 'no-store').status(status).send({ error: code, message });
}

/** The `{error, message}` answer for a framework-level 4xx: also written by the HTTP server's own error handlers. */
export function frameworkErrorBody(status: number, exception?: unknown): { code: string; message: string } {
  const code = CODE_BY_STATUS[status] ?? `http_${status}`;
  if (status === 400 && (exception as { code?: string })?.code?.startsWith('FST_ERR_CTP'))
    return { code, message: 'Request body is not valid JSON' };
  return { code, message: FRAMEWORK_MESSAGES[status] ?? (status === 400 ? 'Bad request' : `Request refused (HTTP ${status})`) };
}

function retryAfterSeconds(error: BrokerError): number | undefined {
  if (
    error instanceof UpstreamUnavailableError ||
    error instanceof TooManyFailedAuthenticationsError ||
    error instanceof CallerRateLimitedError
  ) {
    return error.retryAfterSeconds;
  }
  return RETRY_SOON_CODES.has(error.code) ? 1 : undefined;
}

/** Fastify's own errors (bad JSON, body too large) carry a 4xx `statusCode`. */
function frameworkStatus(exception: unknown): number | undefined {
  const status = (exception as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
