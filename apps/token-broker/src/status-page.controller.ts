import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ProviderStatusService } from '@app/refresh';
import { renderStatusPage } from './status-page';

@ApiTags('operations')
@Controller()
export class StatusPageController {
  constructor(private readonly status: ProviderStatusService) {}

  @Get()
  @ApiOperation({ summary: 'Read-only status page: the /providers table as HTML, reloading itself every 5 s' })
  @ApiProduces('text/html')
  @ApiOkResponse({ schema: { type: 'string' } })
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
  async page(): Promise<string> {
    return renderStatusPage(await this.status.list());
  }
}
