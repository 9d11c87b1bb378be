import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** As the broker's metrics sample it (`EVENT_LOOP_SAMPLE_MS`), and reset as each 10 s scrape resets prom-client's histogram. */
const SAMPLE_MS = 2;
const WINDOW_MS = 10_000;

const PROBE_SCRIPT = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const delay = monitorEventLoopDelay({ resolution: ${SAMPLE_MS} });
delay.enable();
const report = () => {
  process.stdout.write(JSON.stringify({ maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 }) + '\\n');
  delay.reset();
};
setInterval(report, ${WINDOW_MS});
// the last, partial window too (writes to a pipe are synchronous on Linux)
process.once('SIGTERM', () => (report(), process.exit(0)));
`;

export interface LagFigures {
  maxMs: number;
  p99Ms: number;
}

/** The bound on the event loop's delay at scale. */
export const LAG_GOAL_MS = 50;

/** The worst window's figures, and how many of the 10 s windows went past the goal: a spike or a habit. */
export interface LagSummary extends LagFigures {
  windows: number;
  windowsOverGoal: number;
}

/**
 * A Node process that does nothing but sample its own event-loop delay, run beside a broker: what
 * the machine alone (other processes, the load generator, other tenants) does to a timer in the same
 * seconds. A broker lag figure near this one is the machine's, not the broker's.
 */
export class IdleLagProbe {
  private readonly windows: LagFigures[] = [];
  private readonly child = spawn(process.execPath, ['-e', PROBE_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  /** 'close', not 'exit': only then has every line the probe wrote been read. */
  private readonly closed = new Promise((resolve) => this.child.once('close', resolve));

  constructor() {
    createInterface({ input: this.child.stdout }).on('line', (line) => this.windows.push(JSON.parse(line) as LagFigures));
  }

  /** The worst window's maximum and p99 so far, as the bench reads the broker's. */
  async stop(): Promise<LagSummary> {
    this.child.kill('SIGTERM'); // a probe that has already exited ignores it
    await this.closed;
    return {
      maxMs: Math.round(Math.max(0, ...this.windows.map((w) => w.maxMs))),
      p99Ms: Math.round(Math.max(0, ...this.windows.map((w) => w.p99Ms))),
      windows: this.windows.length,
      windowsOverGoal: this.windows.filter((w) => w.maxMs > LAG_GOAL_MS).length,
    };
  }
}
