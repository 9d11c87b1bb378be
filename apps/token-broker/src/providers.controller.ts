import { Controller, Get, Param } from '@nestjs/common';
import { ProviderStatusService, type ProviderStatusView } from '@app/refresh';
import { parseProviderId } from './provider-id';

/** Provider health for the ops dashboard; no tokens, no secrets. */
@Controller('providers')
export class ProvidersController {
  constructor(private readonly status: ProviderStatusService) {}

  @Get()
  list(): Promise<ProviderStatusView[]> {
    return this.status.list();
  }

  @Get(':provider')
  describe(@Param('provider') provider: string): Promise<ProviderStatusView> {
    return this.status.describe(parseProviderId(provider));
  }
}
