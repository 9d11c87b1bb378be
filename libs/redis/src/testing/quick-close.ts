import type { RedisOptions } from 'ioredis';
import { DISCONNECT_TIMEOUT_MS } from '../disconnect-timeout';

/**
 * For a raw ioredis client a test makes itself and closes while Redis may be down: the same close
 * as the factory's connections, where ioredis's default 2 s wait for a gone socket would outlast
 * the test file.
 */
export const QUICK_CLOSE: Pick<RedisOptions, 'disconnectTimeout'> = { disconnectTimeout: DISCONNECT_TIMEOUT_MS };
