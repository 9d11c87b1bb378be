import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectCredentialStore, type CredentialStore } from '@app/credentials';
import { NotReadyError } from '@app/errors';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { ApiErrors } from './openapi/api-errors.decorator';
import { HealthBody } from './openapi/api-models';
import { probeStores, type StoreReadiness } from './store-readiness';

/**
 * Liveness: the process answers. Readiness: config loaded (we are running), token store and
 * credential store reachable. A failing provider does not make the broker unready: see /providers.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectCredentialStore() private readonly credentials: CredentialStore,
  ) {}

  // terminus would document its own 503 body; ours is the usual {error, message}
  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: 200 while the process answers' })
  @ApiOkResponse({ type: HealthBody })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: token store and credential store reachable; a failing provider does not make the broker unready' })
  @ApiOkResponse({ type: HealthBody })
  @ApiErrors(503)
  async ready(): Promise<HealthCheckResult> {
    const stores = await probeStores(this.tokens, this.credentials);
    try {
      return await this.health.check(stores.map((store) => () => this.indicate(store)));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const { error: down = {} } = error.getResponse() as HealthCheckResult;
      const reasons = Object.entries(down).map(([key, detail]) => `${key}: ${String(detail?.message ?? 'down')}`);
      throw new NotReadyError(`Not ready: ${reasons.join('; ')}`);
    }
  }

  private indicate({ key, backend, ready, problem }: StoreReadiness) {
    const check = this.indicators.check(key);
    return ready ? check.up({ backend }) : check.down({ backend, message: problem });
  }
}
