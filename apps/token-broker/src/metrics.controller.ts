import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry } from '@app/providers';
import { InjectTokenStore, type TokenStore } from '@app/token-store';

/** Prometheus text format. State gauges are read from the shared token store at scrape time. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: BrokerMetrics,
    private readonly registry: ProviderRegistry,
    @InjectTokenStore() private readonly tokens: TokenStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    let backlog = 0;
    // while Redis is away a scrape must not wait for it: expiry from what this replica knows, the backlog as last seen
    const away = this.tokens.unreachableSince() !== undefined;
    await Promise.all(
      this.registry.list().map(async ({ id }) => {
        const [token, status] = away
          ? [this.tokens.lastKnown(id), undefined]
          : await Promise.all([this.tokens.get(id).catch(() => undefined), this.tokens.getStatus(id).catch(() => undefined)]);
        if (token) this.metrics.secondsToExpiry.set({ provider: id }, Math.max(0, (token.expiresAt - Date.now()) / 1000));
        else this.metrics.secondsToExpiry.remove({ provider: id });
        if (status?.durableWritePending) backlog += 1;
      }),
    );
    if (!away) this.metrics.durableWriteBacklog.set(backlog);
    return this.metrics.registry.metrics();
  }
}
