import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import Redis from 'ioredis';
import { baselineAnswer, type ReplayedAnswer } from './bench-support';

/**
 * The practical limits the broker is measured against: a bare Fastify handler that answers the
 * same JSON from one ioredis GET (`redis`) or from a value in process memory (`memory`).
 * With BASELINE_ANSWER (JSON, a ReplayedAnswer) it answers that body with those headers, plus a
 * fresh x-request-id per request as the broker sends: the broker's answer, byte for byte in size.
 * Usage: node dist/bench/baseline-server.js <redis|memory> <port> [redis-url]
 */
async function main(): Promise<void> {
  const [mode, port, redisUrl] = process.argv.slice(2);
  const replayed = process.env.BASELINE_ANSWER ? (JSON.parse(process.env.BASELINE_ANSWER) as ReplayedAnswer) : undefined;
  const body = replayed?.body ?? baselineAnswer();
  const app = Fastify();
  if (replayed) {
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(replayed.headers).header('x-request-id', randomUUID());
      done();
    });
  }
  if (mode === 'redis') {
    const redis = new Redis(redisUrl);
    const key = `bench:token:${process.pid}`; // each baseline its own answer on the bench's one Redis
    await redis.set(key, JSON.stringify(body));
    app.get('/tokens/:provider', async () => JSON.parse((await redis.get(key))!) as unknown);
  } else {
    app.get('/tokens/:provider', async () => body);
  }
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.stdout.write('ready\n');
}

void main();
