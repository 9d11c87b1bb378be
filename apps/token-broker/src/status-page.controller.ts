import { Controller, Get, Header } from '@nestjs/common';
import { ProviderStatusService } from '@app/refresh';
import { renderStatusPage } from './status-page';

@Controller()
export class StatusPageController {
  constructor(private readonly status: ProviderStatusService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
  async page(): Promise<string> {
    return renderStatusPage(await this.status.list());
  }
}
