import { Logger } from '@nestjs/common';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { ClusterRedisConfig, RedisConfig } from '@app/config';
import { DISCONNECT_TIMEOUT_MS } from './disconnect-timeout';
import { boundOfflineQueue } from './offline-queue-bound';
import { followSentinelSwitches } from './sentinel-switch-follower';

/** The shared connection: one server or a Sentinel-managed primary (`Redis`), or a `Cluster`. Both speak the same commands. */
export type RedisClient = Redis | Cluster;

/**
 * How long a command may wait for Redis before it fails. It covers a failover whose detection is
 * tuned to about a second (Sentinel `down-after-milliseconds`, Cluster `cluster-node-timeout`):
 * measured from SIGKILL of the primary on a loaded 2-core machine, commands resumed after about
 * 2.3 s under Sentinel and 2.4-2.9 s under Cluster; 6 s leaves room for a slow election. Beyond
 * that it is an outage, not a failover: commands fail at once, and callers that must not wait at
 * all check RedisConnectionState first.
 */
export const FAILOVER_WAIT_MS = 6_000;

/** Reconnect this often while a failover may be under way, so the new primary is found within 100 ms. */
const FAILOVER_RECONNECT_MS = 100;
/** After that, once a second: a long outage costs each replica one connection attempt per second. */
const OUTAGE_RECONNECT_MS = 1_000;

/** A connection that takes a second on a LAN is to a dead address: try the next attempt instead. */
const CONNECT_TIMEOUT_MS = 1_000;

/**
 * Cluster retries a command through a failover: "connection closed" waits `retryDelayOnFailover`
 * and tries again, MOVED follows at once; each costs one redirection. With ioredis's default of 16
 * about half the commands sent in a 2.5 s failover window failed with "Too many Cluster
 * redirections". Allow enough for two per retry delay over the whole wait, so FAILOVER_WAIT_MS
 * (the command timeout) and not the count ends a retry.
 */
const CLUSTER_RETRY_DELAY_MS = 100;
const CLUSTER_MAX_REDIRECTIONS = Math.ceil(FAILOVER_WAIT_MS / CLUSTER_RETRY_DELAY_MS) * 2;

/** A QUIT that outlasts this (Redis hung or unreachable) gives way to dropping the connection. */
const QUIT_TIMEOUT_MS = 1_000;

/** Connections a client opened beside its own (the Sentinel switch announcements), closed with it. */
const stopOnClose = new WeakMap<RedisClient, () => void>();
/** Where a Cluster client's nodes are, for a subscriber connection beside it. */
const clusterConfigs = new WeakMap<RedisClient, ClusterRedisConfig>();

function reconnectDelay(attempt: number): number {
  return attempt * FAILOVER_RECONNECT_MS < FAILOVER_WAIT_MS ? FAILOVER_RECONNECT_MS : OUTAGE_RECONNECT_MS;
}

/** The client for the configured topology, tuned to ride through a failover and fail fast in an outage. */
export function createRedisClient(config: RedisConfig, logger = new Logger('Redis')): RedisClient {
  const common: RedisOptions = {
    connectTimeout: CONNECT_TIMEOUT_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    // bounds a command from the moment it is issued, queued or sent, so also a hung connection
    commandTimeout: FAILOVER_WAIT_MS,
    // the offline queue is bounded in time by boundOfflineQueue, not by a count of reconnect attempts
    maxRetriesPerRequest: null,
  };
  let client: RedisClient;
  switch (config.topology) {
    case 'single':
      client = new Redis(config.url, { ...common, retryStrategy: reconnectDelay });
      break;
    case 'sentinel':
      client = new Redis({
        ...common,
        sentinels: config.sentinels,
        name: config.name,
        sentinelPassword: config.sentinelPassword,
        username: config.username,
        password: config.password,
        retryStrategy: reconnectDelay,
        // a demoted primary that kept our connection refuses writes: find the new one and resend
        reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
      });
      stopOnClose.set(client, followSentinelSwitches(client, config));
      break;
    case 'cluster':
      client = new Cluster(config.nodes, {
        redisOptions: { ...common, username: config.username, password: config.password },
        clusterRetryStrategy: reconnectDelay,
        maxRedirections: CLUSTER_MAX_REDIRECTIONS,
        retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
        retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
        retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
      });
      clusterConfigs.set(client, config);
      break;
  }
  boundOfflineQueue(client, FAILOVER_WAIT_MS);
  logConnectionEvents(client, logger);
  return client;
}

/**
 * A connection for pub/sub alone (a connection in subscriber mode can do nothing else), reconnecting
 * at the client's pace. Under Cluster a PUBLISH reaches every node, so one plain connection to any
 * node will do, and each reconnect goes to the next node listed. Not the Cluster client's own
 * subscriber: that one picks another node the moment its connection ends, which with every node
 * down is a loop without pause (a core busy and memory climbing, measured).
 */
export function createSubscriberConnection(client: RedisClient): Redis {
  const cluster = clusterConfigs.get(client);
  if (!cluster) return (client as Redis).duplicate({ autoResubscribe: false });
  let attempts = Math.floor(Math.random() * cluster.nodes.length); // replicas spread over the nodes
  const nextNode = () => cluster.nodes[attempts++ % cluster.nodes.length];
  const subscriber: Redis = new Redis({
    ...nextNode(),
    username: cluster.username,
    password: cluster.password,
    connectTimeout: CONNECT_TIMEOUT_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    autoResubscribe: false,
    retryStrategy: (attempt) => {
      Object.assign(subscriber.options, nextNode()); // read again at each connect
      return reconnectDelay(attempt);
    },
  });
  return subscriber;
}

/** Closes a client createRedisClient made, and every connection it opened beside its own. */
export async function closeRedisClient(redis: RedisClient): Promise<void> {
  stopOnClose.get(redis)?.();
  if (redis.status === 'end') return;
  // QUIT lets replies in flight arrive; without a connection there is nothing to wait for
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)));
    await Promise.race([redis.quit().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }
  redis.disconnect();
}

/** Connects and reconnects at info, problems at warn but at most one line per 5 s (reconnects retry every 100 ms). */
function logConnectionEvents(client: RedisClient, logger: Logger): void {
  let wasReady = false;
  let lastWarning = 0;
  let suppressed = 0;
  client.on('ready', () => {
    logger.log(wasReady ? 'Reconnected to Redis' : 'Connected to Redis');
    wasReady = true;
    lastWarning = 0;
  });
  // ioredis error messages name host and port, never the password
  const warn = (error: Error, node?: string): void => {
    if (Date.now() - lastWarning < 5_000) {
      suppressed += 1;
      return;
    }
    const more = suppressed ? ` (${suppressed} more since the last warning)` : '';
    logger.warn(`Redis connection problem${node ? ` with node ${node}` : ''}: ${error.message}${more}`);
    lastWarning = Date.now();
    suppressed = 0;
  };
  client.on('error', (error: Error) => warn(error));
  client.on('node error', (error: Error, node: string) => warn(error, node));
}
