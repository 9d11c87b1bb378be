export { RedisModule, REDIS_CLIENT, InjectRedis } from './redis.module';
export { RedisConnectionState } from './redis-connection-state';
export type { RedisClient } from './redis-client.factory';
