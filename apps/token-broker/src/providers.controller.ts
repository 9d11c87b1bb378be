import { Controller, Get, Header, Param, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProviderStateService } from '@app/refresh';
import { ApiErrors } from './openapi/api-errors.decorator';
import { ProviderStatusBody } from './openapi/api-models';
import { jsonArrayStream } from './json-array-stream';
import { parseProviderId } from './provider-id';
import { toStatusView, type ProviderStatusView } from './provider-status-view';

/** Provider health for the ops dashboard; no tokens, no secrets. */
@ApiTags('operations')
@ApiErrors(503)
@Controller('providers')
export class ProvidersController {
  constructor(private readonly states: ProviderStateService) {}

  @Get()
  @ApiOperation({ summary: 'State, expiry, refresh times and last error of every configured provider; no tokens' })
  @ApiOkResponse({ type: [ProviderStatusBody] })
  @Header('content-type', 'application/json; charset=utf-8')
  async list(): Promise<StreamableFile> {
    return jsonArrayStream(this.states.batches(), toStatusView);
  }

  @Get(':provider')
  @ApiOperation({ summary: 'The same for one provider' })
  @ApiOkResponse({ type: ProviderStatusBody })
  @ApiErrors(400, 404)
  async describe(@Param('provider') provider: string): Promise<ProviderStatusView> {
    return toStatusView(await this.states.describe(parseProviderId(provider)));
  }
}
