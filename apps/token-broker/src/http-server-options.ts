import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions, FastifyReply, FastifyRequest } from 'fastify';
import { frameworkErrorBody } from './error-response';
import { setEdgeHeaders } from './request-edge';

/** Admin bodies are small JSON documents; anything bigger is refused before parsing. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** Long enough that an oversize provider id reaches our validation and gets a clear 400, not a bare 414. */
const MAX_PARAM_LENGTH = 4096;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/**
 * Slow clients hold a socket each: the headers must arrive within 5 s of the request's first byte
 * (checked every second, so a slow-header connection is answered 408 and closed within about 6 s),
 * the whole request (a 64 KiB body at most) within 10 s. How long the answer takes is not limited
 * here: a caller may wait on another replica's refresh (LOCK_WAIT_MS) and an upstream call.
 */
const HEADERS_TIMEOUT_MS = 5_000;
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after 5 s (Node's default; Fastify's is 72 s). */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Fastify's options for the broker's HTTP server: limits, timeouts, request ids, and error answers in the broker's shape. */
export function httpServerOptions(): FastifyHttpOptions<Server> {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Node's own refusal of a request without Host is a bare 400: guardEveryRequest answers it in our shape
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS, requireHostHeader: false },
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // a caller's x-request-id is kept when it is sane, so audit lines join up with the caller's logs
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    // a bad URL or an oversize parameter: Fastify's own answer quotes the URL
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      setEdgeHeaders(request, reply);
      const status = (error as { statusCode?: number }).statusCode === 414 ? 414 : 400;
      const { code, message } = frameworkErrorBody(status);
      void reply.code(status).header('cache-control', 'no-store').send({ error: code, message });
    },
    clientErrorHandler: answerClientError,
  };
}

/**
 * Node answers an `Expect` other than 100-continue with a bare 417 unless the server handles it:
 * answered here in the broker's shape, and the connection closed, since the body may still come.
 */
export function refuseUnmetExpectations(server: Server): void {
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const body = jsonErrorBody(417);
    response
      .writeHead(417, {
        'content-type': 'application/json',
        'content-length': body.length,
        'cache-control': 'no-store',
        connection: 'close',
      })
      .end(body);
  });
}

/**
 * Requests Node could not parse or that came too slowly never reach Fastify: answered here, in the
 * broker's shape, on the raw socket (as Node and Fastify do), which is then closed. Not while an
 * earlier request on the connection still awaits its answer (pipelining): the client would take
 * this answer for that request's, so the connection just closes, as Node's own handler does.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: unknown }): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = jsonErrorBody(status);
  if (socket.writable && !socket._httpMessage) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function jsonErrorBody(status: number): string {
  const { code, message } = frameworkErrorBody(status);
  return JSON.stringify({ error: code, message });
}
