import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { DestinationStream } from 'pino';

export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** Writes out what the buffer still holds once the HTTP server has answered its last request. */
@Injectable()
export class LogFlusher implements OnApplicationShutdown {
  constructor(@Inject(LOG_DESTINATION) private readonly destination: DestinationStream & { flushSync?(): void }) {}

  onApplicationShutdown(): void {
    this.destination.flushSync?.();
  }
}
