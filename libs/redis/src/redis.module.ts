import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** The shared ioredis connection, or `undefined` in embedded mode (no REDIS_URL). */
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig): Redis | undefined => {
        if (!config.redisUrl) return undefined;
        const logger = new Logger('Redis');
        const redis = new Redis(config.redisUrl, {
          // fail commands fast while Redis is down instead of queueing callers indefinitely
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          commandTimeout: 2_000,
          retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
        });
        let wasReady = false;
        redis.on('ready', () => {
          logger.log(wasReady ? 'Reconnected to Redis' : 'Connected to Redis');
          wasReady = true;
        });
        // ioredis reports each failed reconnect; the message has host/port only, no password
        redis.on('error', (error: Error) => logger.warn(`Redis connection problem: ${error.message}`));
        return redis;
      },
    },
    RedisConnectionCloser,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
