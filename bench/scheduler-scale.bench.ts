import { seriesValue } from '../test/support/metrics-text';
import { processUsage } from './bench-support';
import { BenchScene, fetchToken, tokenUrl } from './environment';
import { IdleLagProbe, LAG_GOAL_MS, type LagSummary } from './idle-lag-probe';

const SCRAPE_EVERY_SECONDS = 10;
const DASHBOARD_POLL_MS = 5_000;

export interface ScaleResult {
  instances: number;
  lifetimeSeconds: number;
  warmSeconds: number;
  windows: Array<{ seconds: number; upstreamCalls: number }>;
  cpuPercent: number;
  peakRssMb: number;
  /** Worst per-scrape maximum and p99 of the event-loop delay while the broker serves, from its own /metrics. */
  lagMaxMs: number;
  lagP99Ms: number;
  /** Scrapes (10 s windows) while it serves, and how many of them saw a delay past LAG_GOAL_MS. */
  lagWindows: number;
  lagWindowsOverGoal: number;
  /** The longest event-loop delay before the port opened (config, registry, app set-up): the first scrape's maximum. */
  startupLagMs: number;
  /** The same figures from an idle Node process over the same seconds: the machine's share of the lag. */
  idleLag: LagSummary;
  samples: number;
  expiredServed: number;
}

/**
 * `instances` providers whose tokens live `lifetime` s (pre-refreshed at 50%), seeded before the
 * broker starts: start-up pre-warm, then every refresh window should cost one upstream call per
 * instance; no sampled GET may return an expired token, while the status page and /providers are
 * polled as on-call has them open. Memory and event-loop lag are watched from the first second,
 * pre-warm included. In `cgroup` the broker runs under its memory limit.
 */
export async function benchSchedulerScale(
  scene: BenchScene,
  instances: number,
  lifetime: number,
  windows: number,
  cgroup?: string,
): Promise<ScaleResult> {
  const ids = Array.from({ length: instances }, (_, i) => `p${String(i).padStart(5, '0')}`);
  const started = Date.now();
  const [broker] = await scene.startBrokers(ids, 1, { refreshBefore: '50%', seeded: true, cgroup });
  const watch = watchProcess(broker.url, broker.pid!);
  const idle = new IdleLagProbe();
  const warmDeadline = Date.now() + 120_000;
  while (scene.simulator.tokens.count < instances && Date.now() < warmDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const warmSeconds = Math.round((Date.now() - started) / 100) / 10;

  const window = (lifetime / 2) * 1000;
  let sampling = true;
  let samples = 0;
  let expiredServed = 0;
  const sampler = (async () => {
    while (sampling) {
      const answer = await fetchToken(tokenUrl(broker.url, ids[Math.floor(Math.random() * ids.length)]));
      samples += 1;
      if (answer.status === 200 && !scene.simulator.tokens.isValid(answer.token!)) expiredServed += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();

  // on-call's views stay open: the status page reloads itself every 5 s, a dashboard polls /providers every 10 s
  const dashboard = (async () => {
    for (let tick = 0; sampling; tick += 1) {
      await Promise.all((tick % 2 === 0 ? ['/', '/providers'] : ['/']).map((path) => drain(`${broker.url}${path}`)));
      await new Promise((resolve) => setTimeout(resolve, DASHBOARD_POLL_MS));
    }
  })();

  const cpuBefore = processUsage(broker.pid!).cpuSeconds;
  const measured = Date.now();
  const counts: ScaleResult['windows'] = [];
  for (let w = 0; w < windows; w += 1) {
    const calls = scene.simulator.received;
    await new Promise((resolve) => setTimeout(resolve, window));
    counts.push({ seconds: window / 1000, upstreamCalls: scene.simulator.received - calls });
  }
  const cpuSeconds = processUsage(broker.pid!).cpuSeconds - cpuBefore;
  sampling = false;
  await Promise.all([sampler, dashboard]);
  const [watched, idleLag] = await Promise.all([watch.stop(), idle.stop()]);
  await scene.stopBrokers();
  return {
    instances,
    lifetimeSeconds: lifetime,
    warmSeconds,
    windows: counts,
    cpuPercent: Math.round((cpuSeconds / ((Date.now() - measured) / 1000)) * 1000) / 10,
    ...watched,
    idleLag,
    samples,
    expiredServed,
  };
}

/**
 * Reads the broker's RSS from /proc every second, and scrapes its /metrics for the event-loop delay
 * every 10 s, as Prometheus would: the delay histogram restarts at each scrape, so every moment is
 * covered either way, but rendering 10,000 providers' series every second would be the bench's load.
 */
function watchProcess(
  url: string,
  pid: number,
): { stop(): Promise<Pick<ScaleResult, 'peakRssMb' | 'lagMaxMs' | 'lagP99Ms' | 'lagWindows' | 'lagWindowsOverGoal' | 'startupLagMs'>> } {
  const seen = { peakRssMb: 0, lagMaxMs: 0, lagP99Ms: 0, lagWindows: 0, lagWindowsOverGoal: 0, startupLagMs: -1 };
  let watching = true;
  const scrape = async () => {
    const text = await fetch(`${url}/metrics`).then(
      (res) => res.text(),
      () => '',
    );
    if (!text) return; // a failed scrape is no window
    const lagMaxMs = (seriesValue(text, 'token_broker_nodejs_eventloop_lag_max_seconds') ?? 0) * 1000;
    // prom-client's histogram runs from the metrics' creation: the first scrape's covers start-up, when nothing is served yet
    if (seen.startupLagMs < 0) seen.startupLagMs = Math.round(lagMaxMs);
    else {
      seen.lagWindows += 1;
      if (lagMaxMs > LAG_GOAL_MS) seen.lagWindowsOverGoal += 1;
      seen.lagMaxMs = Math.max(seen.lagMaxMs, lagMaxMs);
      seen.lagP99Ms = Math.max(seen.lagP99Ms, (seriesValue(text, 'token_broker_nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000);
    }
  };
  const loop = (async () => {
    for (let second = 0; watching; second += 1) {
      seen.peakRssMb = Math.max(seen.peakRssMb, Math.round(processUsage(pid).rssMb));
      if (second % SCRAPE_EVERY_SECONDS === 0) await scrape();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  return {
    stop: async () => {
      watching = false;
      await loop;
      await scrape();
      return {
        peakRssMb: seen.peakRssMb,
        lagMaxMs: Math.round(seen.lagMaxMs),
        lagP99Ms: Math.round(seen.lagP99Ms),
        lagWindows: seen.lagWindows,
        lagWindowsOverGoal: seen.lagWindowsOverGoal,
        startupLagMs: seen.startupLagMs,
      };
    },
  };
}

async function drain(url: string): Promise<void> {
  await fetch(url).then(
    (res) => res.arrayBuffer(),
    () => undefined,
  );
}
