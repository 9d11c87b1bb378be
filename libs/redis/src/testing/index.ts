export { openRedisModule, untilReady, type RedisModuleFixture } from './redis-module-fixture';
