import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectService } from '@app/connect';
import { UnauthorizedError } from '@app/errors';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditLog } from './audit-log.service';
import { readBearerCredential } from './bearer-credential';
import { pageStatusOf, sendConnectPage } from './connect-answer';
import { FORM_BODY } from './connect-form-body';
import { renderConnectForm, renderConnectOutcome } from './connect-page';
import { GET_ONLY } from './request-edge';
import { ApiErrors } from './openapi/api-errors.decorator';
import { parseProviderId } from './provider-id';

/**
 * Starts the connect flow. A browser cannot send the admin token as a header, and a URL must never
 * carry it: so a browser gets a page whose form POSTs the token, and a script sends the header.
 * Either way the answer is a redirect to the provider's authorization server.
 */
@ApiTags('admin')
@Controller('admin/connect')
export class ConnectController {
  constructor(
    private readonly connect: ConnectService,
    private readonly admin: AdminTokenGuard,
    private readonly audit: AuditLog,
  ) {}

  @Get(':provider')
  @RouteConfig(GET_ONLY)
  @ApiBearerAuth('admin')
  @ApiOperation({
    summary:
      'Connect flow: with the admin bearer token, 302 to the authorization server; without an Authorization header, the page that asks for the token',
  })
  @ApiProduces('text/html')
  @ApiFoundResponse({
    description: 'To the authorize URL with response_type=code, client_id, redirect_uri, scope, state and an S256 code_challenge',
  })
  @ApiOkResponse({ description: 'The connect page (no Authorization header sent)' })
  @ApiErrors(400, 401, 404, 409, 429)
  async start(@Param('provider') provider: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const id = parseProviderId(provider);
    if (request.headers.authorization !== undefined) {
      await this.admin.verify(readBearerCredential(request), request.ip);
      return reply.header('cache-control', 'no-store').redirect(await this.begin(id, request.id), 302);
    }
    try {
      this.connect.available(id);
      return sendConnectPage(reply, 200, renderConnectForm(id));
    } catch (error) {
      const { status, message } = pageStatusOf(reply, error);
      return sendConnectPage(
        reply,
        status,
        renderConnectOutcome({ title: `${id} cannot be connected here`, tone: 'failed', lines: [message] }),
      );
    }
  }

  /** The connect page's form: `admin_token` in the body, checked like the bearer header (and throttled alike). */
  @Post(':provider')
  @RouteConfig(FORM_BODY)
  @ApiExcludeEndpoint()
  async startFromForm(
    @Param('provider') provider: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const id = parseProviderId(provider);
    try {
      await this.admin.verify(formField(body, 'admin_token'), request.ip);
      return reply.header('cache-control', 'no-store').redirect(await this.begin(id, request.id), 303);
    } catch (error) {
      const { status, message } = pageStatusOf(reply, error);
      if (error instanceof UnauthorizedError) return sendConnectPage(reply, status, renderConnectForm(id, 'That is not the admin token.'));
      return sendConnectPage(
        reply,
        status,
        renderConnectOutcome({ title: `${id} cannot be connected now`, tone: 'failed', lines: [message] }),
      );
    }
  }

  private async begin(provider: string, requestId: string): Promise<string> {
    const url = await this.connect.start(provider);
    this.audit.adminAction({ action: 'connect_started', provider, requestId });
    return url;
  }
}

/** A form field sent exactly once, or undefined. */
function formField(body: unknown, name: string): string | undefined {
  const values = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return Array.isArray(values) && values.length === 1 && typeof values[0] === 'string' && values[0] !== '' ? values[0] : undefined;
}
