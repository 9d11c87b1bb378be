import { BrokerMetrics } from '@app/metrics';
import type { ProviderInstance, ProviderRegistry } from '@app/providers';
import type { ProviderStatus, StoredToken, TokenStore } from '@app/token-store';
import { MetricsController } from './metrics.controller';

const PENDING = new Set(['p0', 'p64', 'p130', 'p198']);

/** 200 providers, every other one rotating its credentials; every token held by this replica. */
function scrapeOf(getStatuses: (providers: readonly string[]) => Promise<Array<ProviderStatus | undefined>>) {
  const providers = Array.from({ length: 200 }, (_, i) => ({ id: `p${i}`, rotatesCredentials: i % 2 === 0 }) as ProviderInstance);
  const token = { expiresAt: Date.now() + 60_000 } as StoredToken;
  const tokens = {
    unreachableSince: () => undefined,
    peek: () => token,
    getStatuses,
    getStatus: () => Promise.reject(new Error('one status read per provider')),
  } as unknown as TokenStore;
  const controller = new MetricsController(new BrokerMetrics(), { list: () => providers } as unknown as ProviderRegistry, tokens);
  return async (): Promise<string> => {
    let text = '';
    for await (const chunk of (await controller.scrape()).getStream()) text += String(chunk);
    return text;
  };
}

const statusesOf = (providers: readonly string[]): ProviderStatus[] =>
  providers.map((id) => ({ state: 'degraded', consecutiveFailures: 0, durableWritePending: PENDING.has(id) }));

describe('MetricsController durable write backlog', () => {
  it('counts the rotating providers with a write pending, reading their statuses 64 at a time', async () => {
    const batches: string[][] = [];
    const scrape = scrapeOf(async (providers) => {
      batches.push([...providers]);
      return statusesOf(providers);
    });
    expect(await scrape()).toMatch(/^token_broker_durable_write_backlog 4$/m);
    expect(batches.map((batch) => batch.length)).toEqual([64, 36]);
    expect(batches.flat().every((id) => Number(id.slice(1)) % 2 === 0)).toBe(true);
  });

  it('counts a batch whose statuses cannot be read as none pending, and still answers', async () => {
    let reads = 0;
    const scrape = scrapeOf(async (providers) => {
      reads += 1;
      if (reads === 2) throw new Error('Redis is unavailable');
      return statusesOf(providers);
    });
    // p0 and p64 are in the first batch; p130 and p198 in the one that failed
    expect(await scrape()).toMatch(/^token_broker_durable_write_backlog 2$/m);
  });
});
