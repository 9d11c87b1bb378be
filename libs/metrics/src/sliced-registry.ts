import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry, type Metric, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** Series rendered between two turns of the event loop: a few milliseconds of work. */
const SERIES_PER_SLICE = 1_000;

type Collected = MetricObjectWithValues<MetricValue<string>>;
interface Collectable {
  name: string;
  get(): Promise<Collected>;
  getForPromString?(): Promise<Collected>;
}

/**
 * prom-client renders all metrics in one synchronous pass: with a series per provider for thousands
 * of providers that blocks the event loop for 100 ms and more, once per scrape. This registry renders
 * the same text a slice of series at a time, yielding to the event loop between slices.
 */
export class SlicedRegistry extends Registry {
  override async metrics(): Promise<string> {
    const texts: string[] = [];
    for (const metric of this.getMetricsAsArray() as unknown as Collectable[]) {
      const whole = await (metric.getForPromString ? metric.getForPromString() : metric.get());
      const lines: string[] = [];
      for (let start = 0; start === 0 || start < whole.values.length; start += SERIES_PER_SLICE) {
        const text = await renderSlice({ ...whole, values: whole.values.slice(start, start + SERIES_PER_SLICE) });
        // every slice starts with the metric's HELP and TYPE lines: the first slice's are kept
        lines.push(start === 0 ? text : text.split('\n').slice(2).join('\n'));
        await nextTurn();
      }
      texts.push(lines.join('\n'));
    }
    return `${texts.join('\n\n')}\n`;
  }
}

/** prom-client's own formatting (escaping, label order), of one slice registered as a custom metric. */
function renderSlice(slice: Collected): Promise<string> {
  const scratch = new Registry();
  scratch.registerMetric({ name: slice.name, get: () => Promise.resolve(slice) } as unknown as Metric);
  return scratch.getSingleMetricAsString(slice.name);
}
