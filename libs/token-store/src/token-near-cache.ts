import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { closeRedisClient } from '@app/redis';
import type { StoredToken } from './token-store';

/**
 * This process's copy of each provider's current token, so a cached token is served without a
 * round trip. Every write or delete of a token is announced on a Redis channel; replicas drop their
 * copy when another one announces. Copies are served only while the subscription is up: a replica
 * that may have missed announcements (Redis restart, failover) reads Redis until it has resubscribed,
 * and starts empty then. Until then the copies are kept as the last known tokens, for while Redis
 * itself cannot be reached.
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

  constructor(
    private readonly subscriber: Redis,
    readonly channel: string,
  ) {
    subscriber.on('ready', () => void this.subscribe());
    for (const event of ['close', 'end', 'reconnecting']) subscriber.on(event, () => this.setLive(false));
    subscriber.on('error', () => undefined); // the command connection reports Redis problems
    subscriber.on('message', (_channel: string, message: string) => this.onAnnouncement(message));
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
    this.setLive(false);
    return closeRedisClient(this.subscriber);
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.setLive(true); // starts empty: whatever was announced while we were away is unknown
    } catch (error) {
      this.logger.warn(`Token announcements not subscribed (${(error as Error).message}); reading Redis on every request`);
    }
  }

  private onAnnouncement(message: string): void {
    const split = message.indexOf(':');
    const provider = message.slice(split + 1);
    this.epochs.set(provider, (this.epochs.get(provider) ?? 0) + 1);
    if (message.slice(0, split) !== this.origin) this.entries.delete(provider);
  }

  private setLive(live: boolean): void {
    if (live === this.live) return;
    if (live) this.entries.clear();
    this.generation += 1;
    this.live = live;
  }
}
