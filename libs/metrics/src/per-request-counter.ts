import { Counter, type Registry } from 'prom-client';

interface Series<L extends string> {
  labels: Record<L, string>;
  value: number;
}

/**
 * A Prometheus counter cheap enough for every request: an increment is one string key and one map
 * lookup, where prom-client validates, sorts and hashes the labels on each call. The totals reach
 * prom-client when /metrics is scraped. Only for labels of bounded variety (route templates,
 * known providers, status codes).
 */
export class PerRequestCounter<L extends string> {
  private readonly series = new Map<string, Series<L>>();

  constructor(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
    const series = this.series;
    new Counter<L>({
      ...config,
      collect() {
        this.reset();
        for (const { labels, value } of series.values()) this.inc(labels, value);
      },
    });
  }

  inc(labels: Record<L, string>): void {
    let key = '';
    for (const name in labels) key += `${labels[name]}\u0000`;
    const found = this.series.get(key);
    if (found) found.value += 1;
    else this.series.set(key, { labels: { ...labels }, value: 1 });
  }
}
