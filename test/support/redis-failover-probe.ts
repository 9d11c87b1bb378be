/** What a steady stream of commands saw while Redis failed over. */
export interface FailoverFigures {
  sent: number;
  failed: number;
  /** The distinct error messages of the failed commands. */
  errors: string[];
  /** Commands slower than `delayedMs`. */
  delayed: number;
  /** From the probe's start to the end of the last failed or delayed command: the window callers saw. */
  windowMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface ProbeOptions {
  intervalMs?: number;
  /** Keep sending this long after `until` settled, to see that commands are fast again. */
  settleMs?: number;
  delayedMs?: number;
}

/** Sends `command` every `intervalMs` (not waiting for answers) until `until` settles and `settleMs` more. */
export async function probeDuring(
  command: () => Promise<unknown>,
  until: Promise<unknown>,
  options: ProbeOptions = {},
): Promise<FailoverFigures> {
  const { intervalMs = 20, settleMs = 1_000, delayedMs = 100 } = options;
  const start = Date.now();
  const outcomes: { latency: number; endedAt: number; error?: string }[] = [];
  const inFlight: Promise<void>[] = [];
  let settledAt: number | undefined;
  void until.finally(() => (settledAt = Date.now()));
  while (settledAt === undefined || Date.now() - settledAt < settleMs) {
    const sentAt = Date.now();
    const record = (error?: string) => outcomes.push({ latency: Date.now() - sentAt, endedAt: Date.now() - start, error });
    inFlight.push(
      command().then(
        () => void record(),
        (error: Error) => void record(error.message),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  await until; // its failure is the test's failure
  await Promise.all(inFlight);
  const latencies = outcomes.map((outcome) => outcome.latency).sort((a, b) => a - b);
  const at = (share: number): number => latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))];
  const affected = outcomes.filter((outcome) => outcome.error !== undefined || outcome.latency > delayedMs);
  return {
    sent: outcomes.length,
    failed: outcomes.filter((outcome) => outcome.error !== undefined).length,
    errors: [...new Set(outcomes.flatMap((outcome) => (outcome.error === undefined ? [] : [outcome.error])))],
    delayed: outcomes.filter((outcome) => outcome.latency > delayedMs).length,
    windowMs: Math.max(0, ...affected.map((outcome) => outcome.endedAt)),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies[latencies.length - 1],
  };
}

export function describeFigures(label: string, failoverMs: number, figures: FailoverFigures): string {
  const { sent, failed, delayed, windowMs, p50Ms, p99Ms, maxMs, errors } = figures;
  return (
    `\n${label}: failover took ${failoverMs} ms (SIGKILL to a new primary); callers' window ${windowMs} ms; ` +
    `${sent} commands, ${failed} failed, ${delayed} delayed > 100 ms; latency p50 ${p50Ms} ms, p99 ${p99Ms} ms, max ${maxMs} ms` +
    (errors.length ? `; errors: ${errors.join(' | ')}` : '') +
    '\n'
  );
}
