import type { FastifyReply } from 'fastify';
import { CONNECT_PAGE_CSP } from './connect-page';
import { describeError } from './error-response';

/** Sends one page of the connect flow: never cached, never framed, nothing loaded but itself. */
export function sendConnectPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CONNECT_PAGE_CSP)
    .header('cache-control', 'no-store')
    .send(html);
}

/** The status and message of an error, for a page; a throttled answer keeps its Retry-After. */
export function pageStatusOf(reply: FastifyReply, error: unknown): { status: number; message: string } {
  const { status, message, retryAfter } = describeError(error, reply.request.id);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return { status, message };
}
