import { Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TokenService } from '@app/refresh';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditLog } from './audit-log.service';
import { ApiErrors } from './openapi/api-errors.decorator';
import { ForcedRefreshBody } from './openapi/api-models';
import { parseProviderId } from './provider-id';

/** Admin: refresh a provider's token now, under the same lock and protocol as the scheduler. */
@ApiTags('admin')
@ApiBearerAuth('admin')
@Controller('tokens')
@UseGuards(AdminTokenGuard)
export class ForcedRefreshController {
  constructor(
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
  ) {}

  @Post(':provider/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refresh now under the same lock and protocol as the scheduler; answers the new expiry, never the token' })
  @ApiOkResponse({ type: ForcedRefreshBody })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async refresh(
    @Param('provider') provider: string,
    @Req() request: { id: string },
  ): Promise<{ provider: string; expires_at: string; expires_in: number }> {
    const id = parseProviderId(provider);
    const token = await this.tokens.refreshNow(id);
    this.audit.adminAction({ action: 'forced_refresh', provider: id, requestId: request.id });
    return {
      provider: id,
      expires_at: new Date(token.expiresAt).toISOString(),
      expires_in: Math.floor((token.expiresAt - Date.now()) / 1000),
    };
  }
}
