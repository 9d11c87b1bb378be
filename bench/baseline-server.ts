import Fastify from 'fastify';
import Redis from 'ioredis';
import { baselineAnswer } from './bench-support';

/**
 * The practical limits the broker is measured against: a bare Fastify handler that answers the
 * same JSON from one ioredis GET (`redis`) or from a value in process memory (`memory`).
 * Usage: node dist/bench/baseline-server.js <redis|memory> <port> [redis-url]
 */
async function main(): Promise<void> {
  const [mode, port, redisUrl] = process.argv.slice(2);
  const body = baselineAnswer();
  const app = Fastify();
  if (mode === 'redis') {
    const redis = new Redis(redisUrl);
    await redis.set('bench:token', JSON.stringify(body));
    app.get('/tokens/:provider', async () => JSON.parse((await redis.get('bench:token'))!) as unknown);
  } else {
    app.get('/tokens/:provider', async () => body);
  }
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.stdout.write('ready\n');
}

void main();
