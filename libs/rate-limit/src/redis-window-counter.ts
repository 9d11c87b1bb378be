import type Redis from 'ioredis';
import { currentWindow, MemberAmount, msLeftIn, WindowCount, WindowCounter } from './window-counter';

/** INCRBY on the window's own key, which expires once the window is over (KEYS: key; ARGV: amount, ttl ms). */
const ADD = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`;

/** HINCRBY per member on the window's hash, which expires once the window is over (KEYS: hash; ARGV: ttl ms, member, amount, ...). */
const ADD_ALL = `
local totals = {}
for i = 2, #ARGV, 2 do totals[#totals + 1] = redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return totals`;

/** Members per command: a script over a hundred thousand callers would hold Redis for tens of ms. */
const MEMBERS_PER_COMMAND = 1_000;

type CounterClient = Redis & {
  tbWindowAdd(key: string, amount: number, ttl: number): Promise<number>;
  tbWindowAddAll(key: string, ttl: number, ...membersAndAmounts: Array<string | number>): Promise<number[]>;
};

export class RedisWindowCounter implements WindowCounter {
  private readonly client: CounterClient;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('tbWindowAdd', { numberOfKeys: 1, lua: ADD });
    redis.defineCommand('tbWindowAddAll', { numberOfKeys: 1, lua: ADD_ALL });
    this.client = redis as CounterClient;
  }

  async add(key: string, amount: number, windowMs: number): Promise<WindowCount> {
    const { index, resetInMs } = currentWindow(windowMs);
    const total = await this.client.tbWindowAdd(`${this.prefix}${key}:w${index}`, amount, resetInMs + 1_000);
    return { total: Number(total), resetInMs };
  }

  /** One hash per scope and window (`<prefix>{rate:<scope>}:w<n>`), so every member's count sits on one Cluster node. */
  async addAll(scope: string, amounts: ReadonlyArray<MemberAmount>, windowMs: number, windowIndex: number): Promise<number[]> {
    const key = `${this.prefix}{rate:${scope}}:w${windowIndex}`;
    const resetInMs = msLeftIn(windowIndex, windowMs);
    const commands: Array<Promise<number[]>> = [];
    for (let start = 0; start < amounts.length; start += MEMBERS_PER_COMMAND) {
      const args = amounts.slice(start, start + MEMBERS_PER_COMMAND).flat();
      commands.push(this.client.tbWindowAddAll(key, resetInMs + 1_000, ...args));
    }
    return (await Promise.all(commands)).flat().map(Number);
  }
}
