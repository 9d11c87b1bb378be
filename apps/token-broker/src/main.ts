import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '@app/config';
import { BrokerError } from '@app/errors';
import { createApp } from './create-app';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get<BrokerConfig>(BROKER_CONFIG);
  await app.listen(config.port, config.host);
  const mode = config.redis
    ? `with Redis (${config.redis.topology}, multi-replica)`
    : 'in embedded mode (no Redis configured: single instance, in-process token store and lock)';
  new Logger('Bootstrap').log(`token-broker listening on ${config.host}:${config.port} ${mode}, ${config.providers.length} provider(s)`);
  if (config.providers.length === 0) {
    new Logger('Bootstrap').warn(
      `PROVIDERS_FILE ${config.providersFile} lists no providers: every GET /tokens call answers 404 until one is added`,
    );
  }
}

bootstrap().catch((error: unknown) => {
  // configuration problems and a taken port are one clear line; anything else keeps its stack
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    error instanceof BrokerError
      ? `${error.name}: ${error.message}`
      : code === 'EADDRINUSE' || code === 'EACCES'
        ? `cannot listen (${code}): ${(error as Error).message}; set PORT to a free port`
        : (error as Error).stack;
  process.stderr.write(`token-broker failed to start: ${message}\n`);
  process.exit(1);
});
