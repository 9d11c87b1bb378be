import pino, { type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from './scrub-secrets';

export type BrokerLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A log destination that can be emptied synchronously before the process ends. */
export interface FlushableDestination extends DestinationStream {
  flushSync(): void;
}

/**
 * Standard output, written asynchronously (sonic-boom), one write per event-loop turn: the lines
 * of a turn are joined and handed over at once, since handing sonic-boom each line was a large
 * share of a request's cost under load. A lone line still goes out in the turn it was logged.
 * Flushed when the process exits, including after an uncaught exception, and by the logging module
 * on shutdown, so no line is lost on SIGTERM.
 */
export function bufferedStdout(): FlushableDestination {
  const destination = new TurnBatchedDestination(pino.destination({ fd: 1, sync: false }));
  process.once('exit', () => destination.flushSync());
  return destination;
}

/** Collects the lines written during one event-loop turn and passes them on as one string. */
export class TurnBatchedDestination implements FlushableDestination {
  private readonly lines: string[] = [];

  constructor(private readonly target: FlushableDestination) {}

  write(line: string): void {
    if (this.lines.push(line) === 1) setImmediate(this.passOn);
  }

  flushSync(): void {
    this.passOn();
    this.target.flushSync();
  }

  private readonly passOn = (): void => {
    if (this.lines.length === 0) return;
    this.target.write(this.lines.join(''));
    this.lines.length = 0;
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
function isoTimeOncePerMillisecond(): () => string {
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
