import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real redis-server on a free loopback port, with its own empty data directory. */
export class RedisServer {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tb-redis-'));
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static assertInstalled(): void {
    if (spawnSync('redis-server', ['--version']).error) {
      throw new Error('redis-server is not installed; tests need a real Redis. Install it with: sudo apt-get install -y redis-server');
    }
  }

  async start(port?: number): Promise<this> {
    RedisServer.assertInstalled();
    this.port = port ?? this.port ?? 0;
    if (!this.port) this.port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)));
    });
    return this;
  }

  /** Kills the server (SIGKILL: data gone, like a crash without persistence). */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return; // already gone
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }
}

/** The ports freePort picks from: below the kernel's ephemeral range, which starts at 32768 by default. */
export const FREE_PORT_RANGE = { first: 20_000, end: ephemeralRangeStart() };

/**
 * A loopback port nothing listens on, for a process started next to bind. Not one the kernel hands
 * out (listen on port 0): between its release here and the bind, the kernel could give it to any
 * outgoing connection as its local port, and the suite opens thousands (a broker of the failover
 * spec once failed to start with EADDRINUSE that way). Below the ephemeral range only another
 * freePort could pick it, one chance in twelve thousand.
 */
export async function freePort(): Promise<number> {
  const { first, end } = FREE_PORT_RANGE;
  for (;;) {
    const port = first + Math.floor(Math.random() * (end - first));
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function ephemeralRangeStart(): number {
  const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  if (!(start > 25_000))
    throw new Error(`the kernel's ephemeral ports start at ${start}: freePort picks from 20000 up to that start, so it must be over 25000`);
  return Math.min(start, 32_768);
}
