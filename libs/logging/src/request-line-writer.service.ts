import { Inject, Injectable } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { isoTimeOncePerMillisecond } from './broker-logger';
import { LOG_DESTINATION } from './log-flusher';
import { CENSOR, isSecretName } from './scrub-secrets';
import { ROOT_LOGGER } from './structured-logger.service';

/** A request line's fields: flat, a string or a number each (absent when undefined). */
export type RequestLineFields = Readonly<Record<string, string | number | undefined>>;

/**
 * Writes the one line per request, in the same shape and to the same destination as every other
 * line (`{"level","time","context":"Http",...fields,"msg":"request"}`), built by hand: going
 * through pino's generic serializer and the redaction walk cost a fifth of a cached token
 * request. A field whose name can carry a secret is still masked.
 */
@Injectable()
export class RequestLineWriter {
  private readonly time = isoTimeOncePerMillisecond();

  constructor(
    @Inject(ROOT_LOGGER) private readonly root: Logger,
    @Inject(LOG_DESTINATION) private readonly destination: DestinationStream,
  ) {}

  write(level: 'info' | 'warn', fields: RequestLineFields): void {
    if (!this.root.isLevelEnabled(level)) return;
    let line = `{"level":"${level}"${this.time()},"context":"Http"`;
    for (const name in fields) {
      const value = fields[name];
      if (value === undefined) continue;
      line += `,${JSON.stringify(name)}:`;
      if (isSecretName(name)) line += `"${CENSOR}"`;
      else line += typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'null') : JSON.stringify(value);
    }
    this.destination.write(`${line},"msg":"request"}\n`);
  }
}
