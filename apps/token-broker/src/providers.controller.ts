import { Controller, Get, Header, Logger, Param, Req, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ProviderStateService } from '@app/refresh';
import { ApiErrors } from './openapi/api-errors.decorator';
import { ProviderStatusBody } from './openapi/api-models';
import { errorSummary } from './error-response';
import { jsonArrayStream } from './json-array-stream';
import { parseProviderId } from './provider-id';
import { toStatusView, type ProviderStatusView } from './provider-status-view';

/** Provider health for the ops dashboard; no tokens, no secrets. */
@ApiTags('operations')
@ApiErrors(503)
@Controller('providers')
export class ProvidersController {
  private readonly logger = new Logger('Providers');

  constructor(private readonly states: ProviderStateService) {}

  @Get()
  @ApiOperation({ summary: 'State, expiry, refresh times and last error of every configured provider; no tokens' })
  @ApiOkResponse({ type: [ProviderStatusBody] })
  @Header('content-type', 'application/json; charset=utf-8')
  async list(@Req() request: FastifyRequest): Promise<StreamableFile> {
    // after the first batch the 200 is sent: only this line tells on-call why a dashboard got a cut list
    return jsonArrayStream(this.states.batches(), toStatusView, (error, written) =>
      this.logger.error({ msg: `GET /providers cut off after ${written} providers: ${errorSummary(error)}`, reqId: request.id }),
    );
  }

  @Get(':provider')
  @ApiOperation({ summary: 'The same for one provider' })
  @ApiOkResponse({ type: ProviderStatusBody })
  @ApiErrors(400, 404)
  async describe(@Param('provider') provider: string): Promise<ProviderStatusView> {
    return toStatusView(await this.states.describe(parseProviderId(provider)));
  }
}
