import { Controller, Get, Header, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry } from '@app/providers';
import { InjectTokenStore, type StoredToken, type TokenStore } from '@app/token-store';

const SCRAPE_READS_AT_ONCE = 64;
/** Thousands of providers' gauges are set a slice at a time, letting the event loop turn between slices. */
const GAUGES_PER_TURN = 1_000;

/**
 * Prometheus text format. State gauges are set at scrape time, from this replica's token copies and
 * the shared store. The text is streamed in small chunks as it is rendered, never held whole.
 */
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
  async scrape(): Promise<StreamableFile> {
    // while Redis is away a scrape must not wait for it: expiry from what this replica knows, the backlog as last seen
    const away = this.tokens.unreachableSince() !== undefined;
    const providers = this.registry.list();
    // the scheduler keeps this replica's copy of every token current: the store is read only for the rest
    const unknown: string[] = [];
    for (let index = 0; index < providers.length; index += 1) {
      if (index > 0 && index % GAUGES_PER_TURN === 0) await nextTurn();
      const { id } = providers[index];
      const token = this.tokens.peek(id) ?? (away ? this.tokens.lastKnown(id) : undefined);
      if (token || away) this.setExpiry(id, token);
      else unknown.push(id);
    }
    await inBatches(unknown, async (batch) => {
      await Promise.all(batch.map(async (id) => this.setExpiry(id, await this.tokens.get(id).catch(() => undefined))));
    });
    if (away) return this.text();
    // only a provider whose refresh rotates its credentials can have a durable write pending; a
    // status that cannot be read counts as none
    let backlog = 0;
    const rotating = providers.filter((instance) => instance.rotatesCredentials).map(({ id }) => id);
    await inBatches(rotating, async (batch) => {
      const statuses = await this.tokens.getStatuses(batch).catch(() => []);
      backlog += statuses.filter((status) => status?.durableWritePending).length;
    });
    this.metrics.durableWriteBacklog.set(backlog);
    return this.text();
  }

  private text(): StreamableFile {
    return new StreamableFile(Readable.from(this.metrics.registry.chunks(), { objectMode: false }));
  }

  private setExpiry(provider: string, token: StoredToken | undefined): void {
    if (token) this.metrics.secondsToExpiry.set({ provider }, Math.max(0, (token.expiresAt - Date.now()) / 1000));
    else this.metrics.secondsToExpiry.remove({ provider });
  }
}

/** A few providers' store reads at a time: thousands of providers must not queue thousands of commands in one go. */
async function inBatches(ids: string[], read: (batch: string[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < ids.length; i += SCRAPE_READS_AT_ONCE) await read(ids.slice(i, i + SCRAPE_READS_AT_ONCE));
}
