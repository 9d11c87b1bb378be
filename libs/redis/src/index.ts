export { RedisModule, REDIS_CLIENT, REDIS_KEY_PREFIX, InjectRedis, InjectRedisKeyPrefix } from './redis.module';
export type { RedisModuleOptions } from './redis.module-definition';
export { RedisConnectionState } from './redis-connection-state';
export { closeRedisClient, createSubscriberConnection, type RedisClient } from './redis-client.factory';
export { getMany } from './get-many';
