import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProviderStatusService, type ProviderStatusView } from '@app/refresh';
import { ApiErrors } from './openapi/api-errors.decorator';
import { ProviderStatusBody } from './openapi/api-models';
import { parseProviderId } from './provider-id';

/** Provider health for the ops dashboard; no tokens, no secrets. */
@ApiTags('operations')
@ApiErrors(503)
@Controller('providers')
export class ProvidersController {
  constructor(private readonly status: ProviderStatusService) {}

  @Get()
  @ApiOperation({ summary: 'State, expiry, refresh times and last error of every configured provider; no tokens' })
  @ApiOkResponse({ type: [ProviderStatusBody] })
  list(): Promise<ProviderStatusView[]> {
    return this.status.list();
  }

  @Get(':provider')
  @ApiOperation({ summary: 'The same for one provider' })
  @ApiOkResponse({ type: ProviderStatusBody })
  @ApiErrors(400, 404)
  describe(@Param('provider') provider: string): Promise<ProviderStatusView> {
    return this.status.describe(parseProviderId(provider));
  }
}
