import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** Series rendered between two turns of the event loop: a few milliseconds of work. */
const SERIES_PER_SLICE = 1_000;

type Labels = Partial<Record<string, string | number>>;
type Collected = MetricObjectWithValues<MetricValue<string> & { metricName?: string; sharedLabels?: Labels }>;
interface Collectable {
  get(): Promise<Collected>;
  getForPromString?(): Promise<Collected>;
}

/**
 * prom-client renders all metrics in one synchronous pass: with a series per provider for thousands
 * of providers that blocks the event loop for 100 ms and more, once per scrape. This registry renders
 * the same text (prom-client's format, escaping and label order) a slice of series at a time,
 * yielding to the event loop between slices. It writes each line once, and what lives across a turn
 * is only text: prom-client's own renderer, run per slice, allocated fifteen times the text's size,
 * and whatever outlives a turn is promoted to the old generation, megabytes per scrape of 10,000 providers.
 */
export class SlicedRegistry extends Registry {
  override async metrics(): Promise<string> {
    const texts: string[] = [];
    let sinceTurn = 0;
    for (const metric of this.getMetricsAsArray() as unknown as Collectable[]) {
      const { name: rawName, help, type, values } = await (metric.getForPromString ? metric.getForPromString() : metric.get());
      const name = escape(rawName);
      const parts = [`# HELP ${name} ${escape(help)}\n# TYPE ${name} ${type}`];
      let lines: string[] = [];
      for (const { metricName = name, labels, sharedLabels, value } of values ?? []) {
        lines.push(`${metricName}${labelSet(labels, sharedLabels)} ${valueText(value)}`);
        if (++sinceTurn === SERIES_PER_SLICE) {
          // joined before the turn: only the slice's text outlives it, not its thousand lines
          parts.push(lines.join('\n'));
          lines = [];
          sinceTurn = 0;
          await nextTurn();
        }
      }
      if (lines.length > 0) parts.push(lines.join('\n'));
      texts.push(parts.join('\n'));
    }
    return `${texts.join('\n\n')}\n`;
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
