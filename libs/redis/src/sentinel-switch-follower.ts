import Redis from 'ioredis';
import type { SentinelRedisConfig } from '@app/config';
import { DISCONNECT_TIMEOUT_MS } from './disconnect-timeout';

const SWITCH_CHANNEL = '+switch-master';
/** A sentinel that is down is retried this often; the other sentinels announce meanwhile. */
const SENTINEL_RECONNECT_MS = 1_000;

/** What the follower needs of the data client. */
interface FollowingClient {
  readonly status: string;
  disconnect(reconnect?: boolean): void;
}

/**
 * Reconnects a Sentinel client when the sentinels announce that its primary switched, so commands
 * stop going to a demoted primary that still answers. ioredis's own `failoverDetector` does this
 * too, but it also disconnects a client that is in the middle of reconnecting, and ioredis then
 * ends that client for good: every later command fails with "Connection is closed." until the
 * process restarts. That happened when a primary was killed and the switch was announced while the
 * client was asking the sentinels for the new one. A client that is not connected is left alone
 * here: its reconnect asks the sentinels anyway. Returns what stops following.
 */
export function followSentinelSwitches(client: FollowingClient, config: SentinelRedisConfig): () => void {
  const subscribers = config.sentinels.map(({ host, port }) => {
    const sentinel = new Redis({
      host,
      port,
      password: config.sentinelPassword,
      retryStrategy: () => SENTINEL_RECONNECT_MS,
      maxRetriesPerRequest: null,
      disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    });
    sentinel.on('error', () => undefined); // Sentinel's own business: the data client's errors are what count
    sentinel.subscribe(SWITCH_CHANNEL).catch(() => undefined);
    sentinel.on('message', (_channel: string, message: string) => onSwitchAnnounced(client, config.name, message));
    return sentinel;
  });
  return () => subscribers.forEach((sentinel) => sentinel.disconnect());
}

/** `message` is "<name> <old-ip> <old-port> <new-ip> <new-port>"; every sentinel sends it, so it comes several times. */
export function onSwitchAnnounced(client: FollowingClient, name: string, message: string): void {
  if (message.split(' ')[0] === name && client.status === 'ready') client.disconnect(true);
}
