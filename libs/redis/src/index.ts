export { RedisModule, REDIS_CLIENT, InjectRedis } from './redis.module';
