import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';

/** Both clients have it; ioredis only calls it itself after a count of reconnect attempts, not after a time. */
type QueueFlushing = { flushQueue(error: Error): void };

/**
 * ioredis queues commands while it is not connected, without limit. Keep that queue for a
 * failover's length, so a failover costs callers a delay rather than an error, and no longer: once
 * the connection has been away for `waitMs` (or never came up), queued commands fail and new ones
 * fail at once instead of piling up behind a dead connection, until Redis is ready again.
 * Flushing also removes them, so a command its caller saw fail is not sent after a reconnect.
 */
export function boundOfflineQueue(client: Redis | Cluster, waitMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  const connected = (): void => {
    clearTimeout(timer);
    timer = undefined;
    client.options.enableOfflineQueue = true;
  };
  const lost = (): void => {
    if (timer || !client.options.enableOfflineQueue) return; // already counting, or already failing fast
    timer = setTimeout(() => {
      timer = undefined;
      client.options.enableOfflineQueue = false;
      (client as unknown as QueueFlushing).flushQueue(new Error(`Redis unreachable for ${waitMs} ms: failing fast until it is back`));
    }, waitMs);
    timer.unref(); // a process shutting down does not wait for it
  };
  client.on('ready', connected);
  client.on('close', lost);
  client.on('end', () => clearTimeout(timer));
  lost(); // until the first connection
}
