import { cpus, totalmem } from 'node:os';
import { BenchScene } from './environment';
import { benchHotPath } from './hot-path.bench';
import { benchRefreshStorm } from './refresh-storm.bench';
import { benchSchedulerScale } from './scheduler-scale.bench';

/**
 * `npm run bench`: starts its own redis-server, simulator, baselines and broker processes on
 * 127.0.0.1, measures, prints one markdown report, and stops everything.
 * Flags: --seconds 10 --connections 100 --callers 1000 --instances 1000 --lifetime 20 --windows 2
 */
async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const seconds = flags.seconds ?? 10;
  const scene = new BenchScene(3600);
  const storm = new BenchScene(60);
  const scale = new BenchScene(flags.lifetime ?? 20);
  const out: string[] = [];
  try {
    await scene.start();
    const hot = await benchHotPath(scene, seconds, flags.connections ?? 100);
    const limit = hot.find((row) => row.target.startsWith('baseline: Fastify + one ioredis'))!;
    out.push(`## Hot path: GET /tokens/:provider, cached token (${flags.connections ?? 100} connections, ${seconds} s)`, '');
    out.push('| target | req/s | p50 ms | p99 ms | errors | vs Redis baseline |', '|---|---:|---:|---:|---:|---:|');
    for (const row of hot) {
      out.push(`| ${row.target} | ${row.requestsPerSecond} | ${row.p50Ms} | ${row.p99Ms} | ${row.errors} | ${(row.requestsPerSecond / limit.requestsPerSecond).toFixed(2)} |`);
    }
    await scene.stop();

    await storm.start();
    const s = await benchRefreshStorm(storm, flags.callers ?? 1000);
    out.push('', `## Refresh storm: 3 processes, ${s.callers} concurrent callers needing a refresh`, '');
    out.push('| upstream token calls | all answered after | non-200 answers | distinct tokens served |', '|---:|---:|---:|---:|');
    out.push(`| ${s.upstreamCalls} (must be 1) | ${s.allAnsweredMs} ms | ${s.non200} | ${s.distinctTokens} |`);
    await storm.stop();

    await scale.start();
    const r = await benchSchedulerScale(scale, flags.instances ?? 1000, flags.lifetime ?? 20, flags.windows ?? 2);
    out.push('', `## Scheduler at scale: ${r.instances} provider instances, ${r.lifetimeSeconds} s tokens, pre-refresh at 50%`, '');
    out.push('| window | upstream calls | calls per instance |', '|---|---:|---:|');
    r.windows.forEach((w, i) => out.push(`| ${i + 1} (${w.seconds} s) | ${w.upstreamCalls} | ${(w.upstreamCalls / r.instances).toFixed(2)} |`));
    out.push('', `Broker CPU ${r.cpuPercent}% of one core, RSS ${r.rssMb} MB; ${r.samples} sampled GETs, ${r.expiredServed} expired tokens served (must be 0).`);
  } finally {
    await Promise.allSettled([scene.stop(), storm.stop(), scale.stop()]);
  }
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  // exit only once the report is flushed: stdout to a pipe is asynchronous
  await new Promise((resolve) => process.stdout.write(`# token-broker benchmark\n\nMachine: ${machine}; date ${new Date().toISOString()}\n\n${out.join('\n')}\n`, resolve));
}

function parseFlags(args: string[]): Record<string, number> {
  const flags: Record<string, number> = {};
  for (let i = 0; i < args.length; i += 2) flags[args[i].replace(/^--/, '')] = Number(args[i + 1]);
  return flags;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
