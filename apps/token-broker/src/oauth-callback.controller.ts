import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectService, type AuthorizationCallback } from '@app/connect';
import { InvalidRequestError } from '@app/errors';
import { AuditLog } from './audit-log.service';
import { pageStatusOf, sendConnectPage } from './connect-answer';
import { renderConnectOutcome } from './connect-page';
import { GET_ONLY } from './request-edge';
import { callbackFailure, callbackSuccess } from './oauth-callback-outcome';

/** Every answer of this route is a page for a person. */
const PAGE = { 'text/html': { schema: { type: 'string' } } };
/** Longer than any code or state seen in the wild, short enough to refuse junk before any work. */
const MAX_PARAMETER_LENGTH = 4096;

/**
 * Where authorization servers send the browser back (PUBLIC_URL/oauth/callback). It needs no admin
 * token: only a state this broker issued, unused and under 10 minutes old, lets it store anything.
 */
@ApiTags('admin')
@Controller('oauth')
export class OAuthCallbackController {
  constructor(
    private readonly connect: ConnectService,
    private readonly audit: AuditLog,
  ) {}

  @Get('callback')
  @RouteConfig(GET_ONLY)
  @ApiOperation({ summary: "Connect flow: the authorization server's redirect back; exchanges the code and stores the refresh token" })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'Connected: the page says until when the first token is valid' })
  @ApiResponse({
    status: 400,
    description: 'unknown, expired or used state; no code; the code exchange failed. Nothing stored',
    content: PAGE,
  })
  @ApiResponse({
    status: 403,
    description: 'the authorization server answered an error (e.g. access_denied). Nothing stored',
    content: PAGE,
  })
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    try {
      const connected = await this.connect.finish(readCallback(query));
      this.audit.adminAction({ action: 'connected', provider: connected.provider, requestId: request.id });
      return sendConnectPage(reply, 200, renderConnectOutcome(callbackSuccess(connected)));
    } catch (error) {
      const { status, message } = pageStatusOf(reply, error);
      return sendConnectPage(reply, status, renderConnectOutcome(callbackFailure(error, message)));
    }
  }
}

/** RFC 6749 §4.1.2: each parameter at most once. */
function readCallback(query: Record<string, unknown>): AuthorizationCallback {
  const read = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length > MAX_PARAMETER_LENGTH)
      throw new InvalidRequestError(`The "${name}" parameter must be sent once, as text`);
    return value;
  };
  return { state: read('state'), code: read('code'), error: read('error') };
}
