import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CredentialsAdminService, type CredentialSummary } from '@app/credential-admin';
import { TokenService } from '@app/refresh';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditLog } from './audit-log.service';
import { ApiErrors } from './openapi/api-errors.decorator';
import { CredentialSummaryBody } from './openapi/api-models';
import { parseProviderId } from './provider-id';

@ApiTags('admin')
@ApiBearerAuth('admin')
@ApiErrors(400, 401, 403, 404, 429, 503)
@Controller('admin/credentials')
@UseGuards(AdminTokenGuard)
export class AdminCredentialsController {
  constructor(
    private readonly admin: CredentialsAdminService,
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
  ) {}

  /** Validated per provider type; answers 204 and never echoes a value. */
  @Put(':provider')
  @HttpCode(204)
  @ApiOperation({ summary: "Store the provider's credential fields (checked against its type's schema; unknown fields refused)" })
  @ApiBody({
    schema: { type: 'object', additionalProperties: { type: 'string' } },
    examples: { smartdocumentor: { value: { client_id: 'my-client', client_secret: '...' } } },
  })
  @ApiNoContentResponse({ description: 'Stored; a refresh is tried at once and its outcome shows in /providers' })
  @ApiErrors(409, 413, 415)
  async put(@Param('provider') provider: string, @Body() body: unknown, @Req() request: { id: string }): Promise<void> {
    const id = parseProviderId(provider);
    await this.admin.put(id, body);
    this.audit.adminAction({ action: 'credentials_written', provider: id, requestId: request.id });
    // try them at once, so a bad secret shows in the provider status now rather than at the next
    // scheduled check; the outcome is recorded there (the CLI leaves this to the scheduler)
    this.tokens.refreshNow(id, 0).catch(() => undefined);
  }

  /** Field names, version and update time only. */
  @Get(':provider')
  @ApiOperation({ summary: 'Field names, version and update time of the stored credentials; never the values' })
  @ApiOkResponse({ type: CredentialSummaryBody })
  async describe(@Param('provider') provider: string): Promise<CredentialSummary> {
    return this.admin.describe(parseProviderId(provider));
  }

  /** Removes the credentials and the cached token. */
  @Delete(':provider')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the credentials and the cached token' })
  @ApiNoContentResponse()
  async delete(@Param('provider') provider: string, @Req() request: { id: string }): Promise<void> {
    const id = parseProviderId(provider);
    await this.admin.delete(id);
    this.audit.adminAction({ action: 'credentials_deleted', provider: id, requestId: request.id });
  }
}
