import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/**
 * A chunk ends once it holds this much text, half V8's large-object size (128 KiB): a large object
 * lives until the next full collection, so a scrape's text in one piece (megabytes at 10,000
 * providers) stayed resident for minutes, a few more megabytes every scrape.
 */
const CHUNK_CHARS = 64 * 1024;

type Labels = Partial<Record<string, string | number>>;
type Collected = MetricObjectWithValues<MetricValue<string> & { metricName?: string; sharedLabels?: Labels }>;
interface Collectable {
  get(): Promise<Collected>;
  getForPromString?(): Promise<Collected>;
}

/**
 * prom-client renders all metrics in one synchronous pass and one string: with a series per
 * provider for thousands of providers that blocks the event loop for 100 ms and more once per
 * scrape, and leaves megabytes of large objects behind. This registry renders the same text
 * (prom-client's format, escaping and label order) as a sequence of small chunks to stream to the
 * scraper, letting the event loop turn between chunks. Only text lives across a turn: whatever
 * outlives one is promoted to the old generation.
 */
export class SlicedRegistry extends Registry {
  async *chunks(): AsyncGenerator<string> {
    let lines: string[] = [];
    let size = 0;
    let first = true;
    for (const metric of this.getMetricsAsArray() as unknown as Collectable[]) {
      const { name: rawName, help, type, values } = await (metric.getForPromString ? metric.getForPromString() : metric.get());
      const name = escape(rawName);
      if (!first) lines.push(''); // a blank line between metrics
      first = false;
      lines.push(`# HELP ${name} ${escape(help)}`, `# TYPE ${name} ${type}`);
      for (const { metricName = name, labels, sharedLabels, value } of values ?? []) {
        const line = `${metricName}${labelSet(labels, sharedLabels)} ${valueText(value)}`;
        lines.push(line);
        size += line.length + 1;
        if (size >= CHUNK_CHARS) {
          yield `${lines.join('\n')}\n`;
          [lines, size] = [[], 0];
          await nextTurn();
        }
      }
    }
    if (lines.length > 0) yield `${lines.join('\n')}\n`;
  }

  /** The whole text at once, for a caller that wants one string (prom-client's interface). */
  override async metrics(): Promise<string> {
    let text = '';
    for await (const chunk of this.chunks()) text += chunk;
    return text;
  }
}

/** A series' own labels (those not shared), then the shared ones, as prom-client orders them. */
function labelSet(labels?: Labels, shared?: Labels): string {
  // for-in and one growing string: a scrape renders tens of thousands of these
  let text = '';
  for (const label in labels) {
    if (shared && Object.hasOwn(shared, label)) continue;
    text += `${text ? ',' : ''}${label}="${labelValue(labels[label])}"`;
  }
  for (const label in shared) text += `${text ? ',' : ''}${label}="${labelValue(shared[label])}"`;
  return text ? `{${text}}` : '';
}

function labelValue(value: string | number | undefined): string | number | undefined {
  return typeof value === 'string' ? escape(value).replace(/"/g, '\\"') : value;
}

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
