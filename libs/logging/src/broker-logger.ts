import pino, { type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from './scrub-secrets';

export type BrokerLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Lines are written in batches of about this many bytes, not one system call each. */
const BUFFER_BYTES = 8 * 1024;

/** A log destination that can be emptied synchronously before the process ends. */
export interface FlushableDestination extends DestinationStream {
  flushSync(): void;
}

/**
 * Standard output, written asynchronously through a buffer (one request's log line must not cost a
 * system call on the hot path). Flushed when the process exits, including after an uncaught
 * exception, and by the logging module on shutdown, so no line is lost on SIGTERM.
 */
export function bufferedStdout(): FlushableDestination {
  const destination = pino.destination({ fd: 1, sync: false, minLength: BUFFER_BYTES });
  process.once('exit', () => destination.flushSync());
  return destination;
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
