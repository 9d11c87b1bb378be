import { Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { TokenService } from '@app/refresh';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditLog } from './audit-log.service';
import { parseProviderId } from './provider-id';

/** Admin: refresh a provider's token now, under the same lock and protocol as the scheduler. */
@Controller('tokens')
@UseGuards(AdminTokenGuard)
export class ForcedRefreshController {
  constructor(
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
  ) {}

  @Post(':provider/refresh')
  @HttpCode(200)
  async refresh(@Param('provider') provider: string, @Req() request: { id: string }): Promise<{ provider: string; expires_at: string; expires_in: number }> {
    const id = parseProviderId(provider);
    const token = await this.tokens.refreshNow(id);
    this.audit.adminAction({ action: 'forced_refresh', provider: id, requestId: request.id });
    return { provider: id, expires_at: new Date(token.expiresAt).toISOString(), expires_in: Math.floor((token.expiresAt - Date.now()) / 1000) };
  }
}
