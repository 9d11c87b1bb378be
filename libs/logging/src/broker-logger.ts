import pino, { type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from './scrub-secrets';

export type BrokerLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A log destination that can be emptied synchronously before the process ends. */
export interface FlushableDestination extends DestinationStream {
  flushSync(): void;
}

/** A line waits at most this long before it is written... */
const MAX_DELAY_MS = 20;
/** ...or until this much is waiting. */
const MAX_BATCH_BYTES = 64 * 1024;

/**
 * Standard output, written in batches: a write per line was a large share of a cached token
 * request's CPU under load (one system call each). A line is written within 20 ms, or at once when
 * 64 KiB wait, and synchronously, so no write is ever in flight when the process ends: the batch is
 * flushed on shutdown and at exit (uncaught exceptions included), no line is lost on SIGTERM, and a
 * SIGKILL loses at most the last 20 ms. As with any synchronous logger, a log reader that stops
 * reading stalls the broker once the pipe is full, rather than lines being dropped.
 */
export function bufferedStdout(): FlushableDestination {
  const destination = new BatchingDestination(pino.destination({ fd: 1, sync: true }));
  process.once('exit', () => destination.flushSync());
  return destination;
}

/**
 * Collects lines and passes them on as one string, MAX_DELAY_MS after the first or once
 * MAX_BATCH_BYTES wait. The lines wait as UTF-8 in a buffer outside the JS heap: held as strings
 * (each a tree of the pieces it was concatenated from) they outlived young-generation collections,
 * which copied 150-250 KB of them every time, several times the copying of a bare server's.
 * After its first synchronous flush (shutdown, exit) every line is written through at once: lines
 * of requests answered while the process stops must not wait for a timer the process may not live
 * to see.
 */
export class BatchingDestination implements FlushableDestination {
  private readonly batch = Buffer.allocUnsafeSlow(MAX_BATCH_BYTES);
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  private writeThrough = false;

  constructor(private readonly target: FlushableDestination) {}

  write(line: string): void {
    if (this.writeThrough) return void this.target.write(line);
    const room = this.batch.length - this.used;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: the exact length is worked out only near the end
    if (line.length * 3 > room && Buffer.byteLength(line) > room) {
      this.passOn();
      if (Buffer.byteLength(line) > this.batch.length) return void this.target.write(line);
    }
    this.used += this.batch.write(line, this.used);
    if (this.used === this.batch.length) this.passOn();
    // unref: a pending batch never keeps the process alive, the exit flush writes it
    else this.timer ??= setTimeout(this.passOn, MAX_DELAY_MS).unref();
  }

  flushSync(): void {
    this.writeThrough = true;
    this.passOn();
    this.target.flushSync();
  }

  private readonly passOn = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    this.target.write(this.batch.toString('utf8', 0, this.used));
    this.used = 0;
  };
}

/**
 * One JSON object per line: ISO time, level as a word, Nest's logger context under `context`.
 * Fields that can carry a secret are redacted, as a net under the rule that none is ever logged.
 */
export function createBrokerLogger(level: BrokerLogLevel, destination: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: isoTimeOncePerMillisecond(),
      formatters: { level: (label) => ({ level: label }), log: scrubSecrets, bindings: scrubSecrets },
    },
    destination,
  );
}

/**
 * pino's ISO time, formatted once per millisecond: under load many lines share a millisecond, and
 * formatting a date is a visible share of a request's cost.
 */
export function isoTimeOncePerMillisecond(): () => string {
  let formattedAt = -1;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== formattedAt) {
      formattedAt = now;
      field = `,"time":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}
