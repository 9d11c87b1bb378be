import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { closeRedisClient } from '@app/redis';
import type { StoredToken } from './token-store';

/** How often this process checks, through the channel itself, that announcements reach it. */
const PROBE_INTERVAL_MS = 1_000;
/** Announcements are taken to be lost when none of this process's probes has come back for this long. */
const PROBE_SILENCE_MS = 3_000;
/** Not a provider id (PROVIDER_ID_PATTERN): the provider part of a probe. */
const PROBE = '#probe';

/**
 * This process's copy of each provider's current token, so a cached token is served without a
 * round trip. Every write or delete of a token is announced on a Redis channel; replicas drop their
 * copy when another one announces. Copies are served only while the subscription is up: a replica
 * that may have missed announcements (Redis restart, failover) reads Redis until it has resubscribed,
 * and starts empty then. Until then the copies are kept as the last known tokens, for while Redis
 * itself cannot be reached.
 *
 * A subscription can also stop delivering without its connection saying so (a hung node keeps the
 * connection open), so each process publishes a probe every second and trusts its copies only while
 * its own probes come back; after 3 s without one it reconnects.
 *
 * A read that raced an announcement must not bring back what was just replaced: each announcement
 * moves the provider's epoch on, and a read is remembered only if no announcement came in meanwhile.
 */
export class TokenNearCache {
  private readonly logger = new Logger(TokenNearCache.name);
  private readonly entries = new Map<string, StoredToken>();
  private readonly epochs = new Map<string, number>();
  private live = false;
  /** Moves on whenever the subscription comes or goes: reads from before then are never remembered. */
  private generation = 0;
  /** Tells this process's own announcements from the others'. */
  readonly origin = randomBytes(6).toString('hex');

  private probeReturnedAt = 0;
  private probing = false;
  private readonly probeTimer: NodeJS.Timeout;

  constructor(
    private readonly subscriber: Redis,
    readonly channel: string,
    /** The command connection: a connection in subscriber mode cannot publish. */
    private readonly publisher: Pick<Redis, 'publish'>,
  ) {
    subscriber.on('ready', () => void this.subscribe());
    for (const event of ['close', 'end', 'reconnecting']) subscriber.on(event, () => this.setLive(false));
    subscriber.on('error', () => undefined); // the command connection reports Redis problems
    subscriber.on('message', (_channel: string, message: string) => this.onAnnouncement(message));
    this.probeTimer = setInterval(() => this.checkDelivery(), PROBE_INTERVAL_MS).unref();
  }

  /** Whether copies are served now (the announcement subscription is up). */
  get subscribed(): boolean {
    return this.live;
  }

  peek(provider: string): StoredToken | undefined {
    return this.live ? this.lastKnown(provider) : undefined;
  }

  /** The copy whether or not announcements arrive: current when it was read or written, perhaps replaced since. */
  lastKnown(provider: string): StoredToken | undefined {
    const token = this.entries.get(provider);
    return token && token.expiresAt > Date.now() ? token : undefined;
  }

  /** Call before reading the store; pass the result to `remember` after. */
  epoch(provider: string): number {
    return this.generation * 1e9 + (this.epochs.get(provider) ?? 0);
  }

  remember(provider: string, token: StoredToken | undefined, epochAtRead: number): void {
    if (this.epoch(provider) !== epochAtRead) return;
    if (token) this.entries.set(provider, token);
    else this.entries.delete(provider);
  }

  /** This process wrote the token itself. */
  rememberOwn(provider: string, token: StoredToken | undefined): void {
    if (token) this.entries.set(provider, token);
    else this.entries.delete(provider);
  }

  announcement(provider: string): string {
    return `${this.origin}:${provider}`;
  }

  /** Also while Redis is away: a QUIT then would leave the connection reconnecting after shutdown. */
  close(): Promise<void> {
    clearInterval(this.probeTimer);
    this.setLive(false);
    return closeRedisClient(this.subscriber);
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.probeReturnedAt = Date.now();
      this.setLive(true); // starts empty: whatever was announced while we were away is unknown
    } catch (error) {
      this.logger.warn(`Token announcements not subscribed (${(error as Error).message}); reading Redis on every request`);
    }
  }

  private checkDelivery(): void {
    if (this.live && Date.now() - this.probeReturnedAt > PROBE_SILENCE_MS) {
      this.logger.warn(`Token announcements stopped arriving for ${PROBE_SILENCE_MS / 1000} s; reading Redis until they do`);
      this.setLive(false);
      this.subscriber.disconnect(true); // a new connection: under Cluster, to the next node
    }
    this.probe();
  }

  private probe(): void {
    if (this.probing || this.subscriber.status !== 'ready') return;
    this.probing = true;
    this.publisher
      .publish(this.channel, this.announcement(PROBE))
      .catch(() => undefined) // Redis away: its connection events say so
      .finally(() => (this.probing = false));
  }

  private onAnnouncement(message: string): void {
    const split = message.indexOf(':');
    const provider = message.slice(split + 1);
    const own = message.slice(0, split) === this.origin;
    if (provider === PROBE) return void (own && this.probeReturned());
    this.epochs.set(provider, (this.epochs.get(provider) ?? 0) + 1);
    if (!own) this.entries.delete(provider);
  }

  private probeReturned(): void {
    this.probeReturnedAt = Date.now();
    if (this.subscriber.status === 'ready') this.setLive(true);
  }

  private setLive(live: boolean): void {
    if (live === this.live) return;
    if (live) this.entries.clear();
    this.generation += 1;
    this.live = live;
  }
}
