import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

/** A fixed window per key: INCR, start the window's expiry on the first hit, report hits and time left. */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * Throttler counters in the shared Redis, so a caller's limit holds across replicas. With Redis
 * down it lets requests through: the limit protects upstreams, it must not add its own outage.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number): Promise<{ totalHits: number; timeToExpire: number; isBlocked: boolean; timeToBlockExpire: number }> {
    let hits: number;
    let pttl: number;
    try {
      [hits, pttl] = (await this.redis.eval(INCREMENT, 1, `${this.prefix}throttle:${key}`, ttl)) as [number, number];
    } catch {
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
    const seconds = Math.max(1, Math.ceil(pttl / 1000));
    return { totalHits: hits, timeToExpire: seconds, isBlocked: hits > limit, timeToBlockExpire: hits > limit ? seconds : 0 };
  }
}
