import 'reflect-metadata';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { baselineAnswer } from './bench-support';

/**
 * The framework's own cost, for the bench: the smallest Nest 11 app on Fastify that answers
 * GET /tokens/:provider from one ioredis GET, with nothing else (no guard, no log, no metric).
 * Usage: node dist/bench/minimal-nest-server.js <port> <redis-url>
 */
const REDIS = Symbol('REDIS');

@Controller('tokens')
class TokenController {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Get(':provider')
  async token(): Promise<unknown> {
    return JSON.parse((await this.redis.get('bench:token'))!) as unknown;
  }
}

async function main(): Promise<void> {
  const [port, redisUrl] = process.argv.slice(2);
  const redis = new Redis(redisUrl);
  const body = baselineAnswer();
  await redis.set('bench:token', JSON.stringify(body));
  @Module({ controllers: [TokenController], providers: [{ provide: REDIS, useValue: redis }] })
  class MinimalModule {}
  const app = await NestFactory.create<NestFastifyApplication>(MinimalModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(port), '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();
