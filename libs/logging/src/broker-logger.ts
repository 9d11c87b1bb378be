import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS } from './redact-paths';

export type BrokerLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * One JSON object per line: ISO time, level as a word, Nest's logger context under `context`.
 * Writes synchronously to stdout unless given a destination, so nothing is lost when the process exits.
 */
export function createBrokerLogger(level: BrokerLogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
