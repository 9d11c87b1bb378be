import { Controller, Get, Header, Param, Query, Req, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InvalidRequestError } from '@app/errors';
import { TokenService } from '@app/refresh';
import { AuditLog } from './audit-log.service';
import { CallerAuthGuard, type CallerRequest } from './caller-auth.guard';
import { CallerThrottlerGuard } from './caller-throttler.guard';
import { GET_ONLY } from './head-refusal';
import { ApiErrors } from './openapi/api-errors.decorator';
import { TokenBody } from './openapi/api-models';
import { parseProviderId } from './provider-id';

/** Longest minTtl accepted: a year, the longest lifetime of any documented provider. */
const MAX_MIN_TTL_SECONDS = 31_536_000;

export interface TokenResponse {
  provider: string;
  access_token: string;
  token_type: string;
  expires_at: string;
  expires_in: number;
}

@ApiTags('tokens')
@ApiBearerAuth('caller')
@Controller('tokens')
@UseGuards(CallerAuthGuard, CallerThrottlerGuard)
export class TokensController {
  constructor(
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
  ) {}

  /** The hot path: no validation pipe, just cheap checks and a store read. */
  @Get(':provider')
  @RouteConfig(GET_ONLY)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'A valid access token for the provider, from the shared store or refreshed first' })
  @ApiQuery({ name: 'minTtl', required: false, description: 'Seconds the token must still be valid (0 to 31536000)' })
  @ApiOkResponse({ type: TokenBody })
  @ApiErrors(400, 401, 403, 404, 422, 429, 503)
  async getToken(
    @Param('provider') provider: string,
    @Req() request: CallerRequest,
    @Query('minTtl') minTtl?: string | string[],
  ): Promise<TokenResponse> {
    const id = parseProviderId(provider);
    const token = await this.tokens.getToken(id, parseMinTtl(minTtl));
    this.audit.tokenIssued({ caller: request.caller!, provider: id, accessToken: token.accessToken, expiresAt: token.expiresAt, requestId: request.id });
    return {
      provider: id,
      access_token: token.accessToken,
      token_type: token.tokenType,
      expires_at: new Date(token.expiresAt).toISOString(),
      expires_in: Math.floor((token.expiresAt - Date.now()) / 1000),
    };
  }
}

function parseMinTtl(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) > MAX_MIN_TTL_SECONDS) {
    throw new InvalidRequestError(`minTtl must be a whole number of seconds from 0 to ${MAX_MIN_TTL_SECONDS}`);
  }
  return Number(value);
}
