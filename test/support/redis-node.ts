import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisServer } from './redis-server';

/**
 * One redis-server process (data node or, with `sentinel`, a Sentinel) on a loopback port, started
 * from a config file in its own directory: Sentinel and Cluster rewrite that file, so each needs one.
 */
export class RedisNode {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tb-redis-node-'));

  constructor(
    readonly port: number,
    private readonly config: string[],
    private readonly options: { sentinel?: boolean; password?: string } = {},
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return !!this.process && this.process.exitCode === null && this.process.signalCode === null;
  }

  async start(): Promise<this> {
    RedisServer.assertInstalled();
    const file = join(this.dir, 'redis.conf');
    const base = [`port ${this.port}`, 'bind 127.0.0.1', `dir ${this.dir}`, 'logfile ""', 'save ""', 'appendonly no'];
    writeFileSync(file, [...base, ...this.config].join('\n') + '\n');
    const child = spawn('redis-server', [file, ...(this.options.sentinel ? ['--sentinel'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    const ready = this.options.sentinel ? 'Sentinel ID is' : 'Ready to accept connections';
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (!output.includes(ready)) return;
        child.stdout.off('data', onData);
        child.stdout.resume(); // keep draining, or a chatty node blocks on a full pipe
        resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.resume();
      child.once('exit', (code) => reject(new Error(`redis-server on ${this.port} exited with ${code}: ${output.slice(-500)}`)));
    });
    return this;
  }

  /** SIGKILL: a crash, with no chance to hand over or persist anything. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || !this.alive) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** SIGSTOP: a hung node, whose connections stay open while nothing on them is answered or sent. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** One command on a fresh connection that neither retries nor queues: for test bookkeeping only. */
  async command(name: string, ...args: (string | number)[]): Promise<unknown> {
    const client = new Redis({
      host: '127.0.0.1',
      port: this.port,
      password: this.options.password,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
    });
    client.on('error', () => undefined); // the caller gets the rejection
    try {
      await client.connect();
      return await client.call(name, ...args);
    } finally {
      client.disconnect();
    }
  }

  /** `INFO <section>` as a map of its fields. */
  async info(section: string): Promise<Record<string, string>> {
    const text = String(await this.command('INFO', section));
    return Object.fromEntries(
      text
        .split('\r\n')
        .filter((line) => line.includes(':'))
        .map((line) => line.split(/:(.*)/s, 2) as [string, string]),
    );
  }
}
