/** Providers named in the shutdown line at most; the rest are counted. */
const NAMED_AT_MOST = 5;

/** What the scheduler waited for on shutdown, as the one line an operator reads after a restart. */
export interface ShutdownWait {
  signal?: string;
  /** Finished: every provider the wait saw refreshing; given up: those still running. */
  inFlight: string[];
  waitedMs: number;
  /** False when the wait ran out with refreshes still running. */
  finished: boolean;
}

export function shutdownSummary({ signal, inFlight, waitedMs, finished }: ShutdownWait): string {
  const head = `Shutting down${signal ? ` on ${signal}` : ''}`;
  if (inFlight.length === 0) return `${head}: no refresh was running, nothing to wait for`;
  const count = inFlight.length === 1 ? '1 refresh' : `${inFlight.length} refreshes`;
  const more = inFlight.length > NAMED_AT_MOST ? ` and ${inFlight.length - NAMED_AT_MOST} more` : '';
  const names = `(${inFlight.slice(0, NAMED_AT_MOST).join(', ')}${more})`;
  const seconds = `${(waitedMs / 1000).toFixed(1)} s`;
  return finished
    ? `${head}: waited ${seconds} for ${count} to finish and persist ${names}`
    : `${head}: gave up after ${seconds} on ${count} still running ${names}; a claim left behind expires after LOCK_TTL_MS`;
}
