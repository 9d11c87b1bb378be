import { Inject, Injectable } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { isoTimeOncePerMillisecond } from './broker-logger';
import { LOG_DESTINATION } from './log-flusher';
import { CENSOR, isSecretName } from './scrub-secrets';
import { ROOT_LOGGER } from './structured-logger.service';

/** A request line's fields: flat, a string or a number each (absent when undefined). */
export type RequestLineFields = Readonly<Record<string, string | number | undefined>>;

/** Field names come from code, a dozen in all: each one's `,"name":` and secrecy are worked out once. */
const REMEMBERED_NAMES = 1_000;

/** How a field starts in the line; a field that can carry a secret has its masked value in it already. */
interface FieldStart {
  text: string;
  masked: boolean;
}
/** Printable ASCII without `"` and `\` is its own JSON; anything else goes through JSON.stringify. */
const NOT_PLAIN = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;

/**
 * Writes the one line per request, in the same shape and to the same destination as every other
 * line (`{"level","time","context":"Http",...fields,"msg":"request"}`), built by hand: going
 * through pino's generic serializer and the redaction walk cost a fifth of a cached token
 * request, and a JSON.stringify per name and per value still cost 4-5 us a line (2 us now). A
 * field whose name can carry a secret is still masked.
 */
@Injectable()
export class RequestLineWriter {
  private readonly time = isoTimeOncePerMillisecond();
  private readonly fields = new Map<string, FieldStart>();

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
      const start = this.startOf(name);
      line += start.text;
      if (start.masked) continue;
      if (typeof value === 'number') line += Number.isFinite(value) ? String(value) : 'null';
      else line += NOT_PLAIN.test(value) ? JSON.stringify(value) : `"${value}"`;
    }
    this.destination.write(`${line},"msg":"request"}\n`);
  }

  private startOf(name: string): FieldStart {
    let start = this.fields.get(name);
    if (start === undefined) {
      const masked = isSecretName(name);
      start = { text: `,${JSON.stringify(name)}:${masked ? `"${CENSOR}"` : ''}`, masked };
      if (this.fields.size < REMEMBERED_NAMES) this.fields.set(name, start);
    }
    return start;
  }
}
