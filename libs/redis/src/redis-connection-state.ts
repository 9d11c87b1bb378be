import { EventEmitter } from 'node:events';
import type { RedisClient } from './redis-client.factory';

/**
 * Whether the shared Redis connection is up, for code that would rather do without Redis than
 * wait for it (a command sent while it is down waits up to FAILOVER_WAIT_MS). It follows the
 * client's own state: in Cluster mode one shard failing over leaves it ready (commands for that
 * shard wait for the new primary), only losing the whole cluster does not.
 */
export class RedisConnectionState {
  private readonly changes = new EventEmitter();
  private ready: boolean;

  constructor(client: RedisClient | undefined) {
    this.ready = client?.status === 'ready';
    client?.on('ready', () => this.set(true));
    for (const event of ['close', 'reconnecting', 'end']) client?.on(event, () => this.set(false));
  }

  /** False in embedded mode (no Redis) and from the moment the connection drops until it is ready again. */
  isReady(): boolean {
    return this.ready;
  }

  /** Calls `listener` with the new state on every change; returns what stops it. */
  onChange(listener: (ready: boolean) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  private set(ready: boolean): void {
    if (ready === this.ready) return;
    this.ready = ready;
    this.changes.emit('change', ready);
  }
}
