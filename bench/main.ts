import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Deployment, find, readKustomization } from '../test/support/k8s-manifests';
import { median } from './bench-support';
import { BenchScene } from './environment';
import { MemoryCgroup } from './memory-cgroup';
import { BARE_BASELINE, benchHotPath, SAME_ANSWER_BASELINE } from './hot-path.bench';
import { benchRefreshStorm } from './refresh-storm.bench';
import { benchReplicas } from './replicas.bench';
import { LAG_GOAL_MS } from './idle-lag-probe';
import { benchSchedulerScale } from './scheduler-scale.bench';

type Flags = Record<string, number> & { only?: string };
type Section = (flags: Flags, out: string[]) => Promise<void>;

/**
 * `npm run bench`: starts its own redis-server, simulator, baselines and broker processes on
 * 127.0.0.1, measures, prints one markdown report, and stops everything.
 * Flags: --seconds 2 --rounds 11 (hot path; 10 and 3 for replicas) --connections 100 --callers 1000 --instances 1000 --lifetime 20 --windows 2
 *        --memory-limit 256 (MiB, the scale rows' broker in a memory cgroup) --only hot|replicas|storm|scale (one section)
 */
const SECTIONS: Record<string, Section> = {
  hot: (flags, out) =>
    withScene(3600, async (scene) => {
      const seconds = flags.seconds ?? 2;
      const connections = flags.connections ?? 100;
      const rounds = flags.rounds ?? 11;
      const hot = await benchHotPath(scene, seconds, connections, rounds);
      const limit = hot.find((row) => row.target === BARE_BASELINE)!;
      const sameAnswer = hot.find((row) => row.target === SAME_ANSWER_BASELINE)!;
      out.push(
        `## Hot path: GET /tokens/:provider, cached token (${connections} connections, ${rounds} interleaved ${seconds} s rounds)`,
        '',
      );
      out.push('Brokers run with production settings: LOG_LEVEL=info, stdout to a file, callers file, rate limit and audit on.', '');
      out.push(
        "The broker's answer carries seven headers the bare one lacks (security headers, request id, cache-control); the same-answer baseline sends them too.",
        'Req/s, p50 and p99 are those of the median round. The ratios and the p99 difference are paired: each round against the same round of the other row (every target runs within seconds of the others in a round), then the median over rounds, so a burst of load from elsewhere on the machine that hits one round moves neither.',
        "Round by round is the lowest and highest of those per-round ratios: how far this machine's noise moved the ratio in this run.",
        "CPU per request is the server process's CPU time over the requests it answered (median round); its ratio is the bare baseline's over the target's.",
        '',
      );
      out.push(
        `| target | req/s | p50 ms | p99 ms | errors | ratio to ${BARE_BASELINE} | round by round | ratio to the same answer | p99 over the bare baseline's, ms | CPU us per request | ratio by CPU |`,
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      );
      for (const row of hot) {
        const byRound = paired(row.roundRequestsPerSecond, limit.roundRequestsPerSecond, (a, b) => a / b);
        const sameAnswerRatio = median(paired(row.roundRequestsPerSecond, sameAnswer.roundRequestsPerSecond, (a, b) => a / b));
        const p99Over = median(paired(row.roundP99Ms, limit.roundP99Ms, (a, b) => a - b));
        const cpuRatio = (limit.cpuMicrosPerRequest / row.cpuMicrosPerRequest).toFixed(2);
        out.push(
          `| ${row.target} | ${row.requestsPerSecond} | ${row.p50Ms} | ${row.p99Ms} | ${row.errors} | ${median(byRound).toFixed(2)} | ${Math.min(...byRound).toFixed(2)}-${Math.max(...byRound).toFixed(2)} | ${sameAnswerRatio.toFixed(2)} | ${p99Over >= 0 ? '+' : ''}${p99Over} | ${row.cpuMicrosPerRequest} | ${cpuRatio} |`,
        );
      }
    }),
  replicas: (flags, out) =>
    withScene(3600, async (scene) => {
      const seconds = flags.seconds ?? 10;
      const connections = flags.connections ?? 100;
      const rounds = flags.rounds ?? 3;
      const rows = await benchReplicas(scene, seconds, connections, rounds);
      out.push(
        '',
        `## Replicas: GET /tokens/:provider from 1, 2 and 3 brokers on one Redis (${connections} connections round-robin, median of ${rounds} ${seconds} s rounds)`,
        '',
      );
      out.push(
        `One load generator and every replica share this machine's ${cpus().length} cores; CPU is % of one core over the round.`,
        '',
      );
      out.push('| replicas | req/s | vs 1 replica | p50 ms | p99 ms | errors | brokers CPU | redis-server CPU | load generator CPU |');
      out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const row of rows) {
        const scaling = (row.requestsPerSecond / rows[0].requestsPerSecond).toFixed(2);
        const errors = row.errorKinds ? `${row.errors} (${row.errorKinds})` : '0';
        out.push(
          `| ${row.replicas} | ${row.requestsPerSecond} | ${scaling} | ${row.p50Ms} | ${row.p99Ms} | ${errors} | ${row.brokersCpu}% | ${row.redisCpu}% | ${row.generatorCpu}% |`,
        );
      }
    }),
  storm: (flags, out) =>
    withScene(60, async (scene) => {
      const s = await benchRefreshStorm(scene, flags.callers ?? 1000);
      out.push('', `## Refresh storm: 3 processes, ${s.callers} concurrent callers needing a refresh`, '');
      out.push('| upstream token calls | all answered after | non-200 answers | distinct tokens served |', '|---:|---:|---:|---:|');
      out.push(`| ${s.upstreamCalls} (must be 1) | ${s.allAnsweredMs} ms | ${s.non200} | ${s.distinctTokens} |`);
    }),
  scale: async (flags, out) => {
    const windows = flags.windows ?? 2;
    // 10,000 providers of 20 s tokens would need 1,000 refreshes a second: more than this machine sustains (see docs/benchmarks.md)
    // the last row again as the k8s manifest's pod runs it: V8 sizes its heap from the memory limit
    const rows: Array<{ instances: number; lifetime: number; memoryLimitMiB?: number }> = flags.instances
      ? [{ instances: flags.instances, lifetime: flags.lifetime ?? 20, memoryLimitMiB: flags['memory-limit'] }]
      : [
          { instances: 1_000, lifetime: flags.lifetime ?? 20 },
          { instances: 10_000, lifetime: flags.lifetime ?? 200 },
          { instances: 10_000, lifetime: flags.lifetime ?? 200, memoryLimitMiB: podMemoryLimitMiB() },
        ];
    out.push(
      '',
      '## Scheduler at scale: pre-refresh at 50%, credentials seeded before start; status page polled every 5 s and /providers every 10 s; RSS read every second, /metrics scraped every 10 s',
      '',
    );
    out.push(
      `| providers | memory limit | token lifetime | refreshes/s needed | pre-warm | upstream calls per provider, each window | broker CPU | peak RSS | event-loop lag max / p99 (start-up) | idle Node process beside it, lag max / p99 | 10 s windows with lag over ${LAG_GOAL_MS} ms: broker, idle process | sampled GETs | expired served | load before / after |`,
    );
    out.push('|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const { instances, lifetime, memoryLimitMiB } of rows) {
      const cgroup = memoryLimitMiB ? MemoryCgroup.create(memoryLimitMiB) : undefined;
      if (cgroup && !(cgroup instanceof MemoryCgroup)) {
        out.push(`| ${instances} | ${memoryLimitMiB} MiB | not measured: ${cgroup.unavailable} |`);
        continue;
      }
      const loadBefore = loadavg()[0].toFixed(1);
      try {
        const r = await withScene(lifetime, (scene) => benchSchedulerScale(scene, instances, lifetime, windows, cgroup?.path));
        const perWindow = r.windows.map((w) => (w.upstreamCalls / r.instances).toFixed(2)).join(', ');
        const rate = Math.round(instances / (lifetime / 2));
        out.push(
          `| ${r.instances} | ${memoryLimitMiB ? `${memoryLimitMiB} MiB` : 'none'} | ${lifetime} s | ${rate} | ${r.warmSeconds} s | ${perWindow} | ${r.cpuPercent}% | ${r.peakRssMb} MB | ${r.lagMaxMs} / ${r.lagP99Ms} ms (${r.startupLagMs} ms) | ${r.idleLag.maxMs} / ${r.idleLag.p99Ms} ms | ${r.lagWindowsOverGoal} of ${r.lagWindows}, ${r.idleLag.windowsOverGoal} of ${r.idleLag.windows} | ${r.samples} | ${r.expiredServed} (must be 0) | ${loadBefore} / ${loadavg()[0].toFixed(1)} |`,
        );
      } finally {
        cgroup?.remove();
      }
    }
    out.push(
      '',
      `Event-loop lag is prom-client's (\`token_broker_nodejs_eventloop_lag_*\`): its timer fires every 2 ms and counts that interval in, so an idle process shows 2 ms and a block up to 2 ms more than it lasted. The idle Node process samples the same way over the same seconds: what the machine alone does to a timer. The windows column counts the 10 s windows (one per scrape) whose maximum went past ${LAG_GOAL_MS} ms: one spike in a row, or a habit.`,
    );
  },
};

function paired(a: number[], b: number[], compare: (a: number, b: number) => number): number[] {
  return a.map((value, round) => compare(value, b[round]));
}

/** The memory limit the k8s manifest gives a broker (`256Mi`), in MiB. */
function podMemoryLimitMiB(): number {
  const deployment = find<Deployment>(readKustomization(join(process.cwd(), 'docker/k8s')).objects, 'Deployment');
  const limit = deployment?.spec.template.spec.containers[0].resources.limits.memory ?? '';
  const [, mib] = /^(\d+)Mi$/.exec(limit) ?? [];
  if (!mib) throw new Error(`docker/k8s: the broker's memory limit "${limit}" is not in Mi`);
  return Number(mib);
}

async function withScene<T>(tokenLifetimeSeconds: number, body: (scene: BenchScene) => Promise<T>): Promise<T> {
  const scene = new BenchScene(tokenLifetimeSeconds);
  try {
    await scene.start();
    return await body(scene);
  } finally {
    await scene.stop();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const out: string[] = [];
  for (const [name, section] of Object.entries(SECTIONS)) if (!flags.only || flags.only === name) await section(flags, out);
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  // exit only once the report is flushed: stdout to a pipe is asynchronous
  await new Promise((resolve) =>
    process.stdout.write(
      `# token-broker benchmark\n\nMachine: ${machine}; date ${new Date().toISOString()}\n\n${out.join('\n')}\n`,
      resolve,
    ),
  );
}

function parseFlags(args: string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    if (name === 'only') flags.only = args[i + 1];
    else flags[name] = Number(args[i + 1]);
  }
  return flags;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
