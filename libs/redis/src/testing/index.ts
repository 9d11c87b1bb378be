export { openRedisModule, untilReady, type RedisModuleFixture } from './redis-module-fixture';
export { QUICK_CLOSE } from './quick-close';
