import type Redis from 'ioredis';
import { currentWindow, WindowCount, WindowCounter } from './window-counter';

/** INCRBY on the window's own key, which expires once the window is over (KEYS: key; ARGV: amount, ttl ms). */
const ADD = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`;

export class RedisWindowCounter implements WindowCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.redis.defineCommand('tbWindowAdd', { numberOfKeys: 1, lua: ADD });
  }

  async add(key: string, amount: number, windowMs: number): Promise<WindowCount> {
    const { index, resetInMs } = currentWindow(windowMs);
    const client = this.redis as Redis & { tbWindowAdd(key: string, amount: number, ttl: number): Promise<number> };
    const total = await client.tbWindowAdd(`${this.prefix}${key}:w${index}`, amount, resetInMs + 1_000);
    return { total: Number(total), resetInMs };
  }
}
