import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { InjectCredentialStore, type CredentialStore } from '@app/credentials';
import { NotReadyError } from '@app/errors';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { ApiErrors } from './openapi/api-errors.decorator';
import { HealthBody } from './openapi/api-models';
import { probeStores } from './store-readiness';

/**
 * Liveness: the process answers. Readiness: this replica can serve tokens. A shared store that is
 * away (Redis, Vault) is reported as `degraded` with a 200: every replica loses it at once and each
 * still serves the tokens it knows, so a load balancer must not take them all out of service. A
 * store only this replica has (the credentials file) makes it unready. A failing provider does not
 * make the broker unready: see /providers.
 */
type StoreDetail = { status: 'up' | 'down'; backend: string; message?: string };

/** terminus's body shape, with `degraded` while a shared store is away. */
export interface ReadinessBody {
  status: 'ok' | 'degraded';
  info: Record<string, StoreDetail>;
  error: Record<string, StoreDetail>;
  details: Record<string, StoreDetail>;
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
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
  @ApiOperation({
    summary:
      'Readiness: 200 "ok", or 200 "degraded" while a shared store (Redis, Vault) is away; 503 when this replica cannot serve (its credentials file lost)',
  })
  @ApiOkResponse({ type: HealthBody })
  @ApiErrors(503)
  async ready(): Promise<ReadinessBody> {
    const stores = await probeStores(this.tokens, this.credentials);
    const lost = stores.filter((store) => !store.ready && !store.shared);
    if (lost.length > 0)
      throw new NotReadyError(`Not ready: ${lost.map((store) => `${store.key}: ${store.problem ?? 'down'}`).join('; ')}`);
    const details: Record<string, StoreDetail> = Object.fromEntries(
      stores.map(({ key, backend, ready, problem }): [string, StoreDetail] => [
        key,
        ready ? { status: 'up', backend } : { status: 'down', backend, message: problem },
      ]),
    );
    const up = Object.fromEntries(Object.entries(details).filter(([, detail]) => detail.status === 'up'));
    const down = Object.fromEntries(Object.entries(details).filter(([, detail]) => detail.status === 'down'));
    return { status: stores.every((store) => store.ready) ? 'ok' : 'degraded', info: up, error: down, details };
  }
}
