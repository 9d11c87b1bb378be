import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

/** Tests and the bench run from the repository root (npm scripts). */
const MAIN = join(process.cwd(), 'dist/apps/token-broker/src/main.js');
/** Node's flags in the image's CMD and `npm start` (docker-setup.spec checks both). */
export const BROKER_NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=15', '--v8-pool-size=1'];

export interface BrokerProcessOptions {
  /**
   * Where the process's stdout and stderr go: kept in `output` (tests), or appended to this file,
   * as a container runtime takes a process's output (the bench).
   */
  logFile?: string;
  /** Start the process with this open-file limit (`ulimit -n`), to exhaust it with few connections. */
  openFileLimit?: number;
  /** A cgroup directory (its `cgroup.procs`) the process joins before Node starts: the bench's memory limit. */
  cgroup?: string;
}

/** A real broker process (`node dist/.../main.js`), as production runs it: built by `npm test` first. */
export class BrokerProcess {
  private child?: ChildProcess;
  output = '';
  /** Standard error alone: a start that fails must write exactly one line there. */
  stderr = '';

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly options: BrokerProcessOptions = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const { logFile, openFileLimit, cgroup } = this.options;
    const before = [openFileLimit && `ulimit -n ${openFileLimit}`, cgroup && `echo $$ > '${cgroup}/cgroup.procs'`].filter(Boolean);
    const [command, args] =
      before.length > 0
        ? ['/bin/sh', ['-c', `${before.join(' && ')} && exec "$0" "$@"`, process.execPath, ...BROKER_NODE_FLAGS, MAIN]]
        : [process.execPath, [...BROKER_NODE_FLAGS, MAIN]];
    const fd = logFile ? openSync(logFile, 'a') : undefined;
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
    });
    if (fd !== undefined) closeSync(fd);
    this.child = child;
    const capture = process.env.TB_LOG_CAPTURE_DIR && join(process.env.TB_LOG_CAPTURE_DIR, `broker-${this.port}.log`);
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (capture) appendFileSync(capture, chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // 'close', not 'exit': the output is complete once the process's streams are
    const exited = new Promise<never>((_, reject) =>
      child.once('close', (code) => reject(new Error(`broker exited with ${code}: ${this.output.slice(-800)}`))),
    );
    await Promise.race([this.untilAnswering(exited), exited]);
  }

  /** Whatever the log level, the process is up once its port answers HTTP; one that exits is not polled on. */
  private async untilAnswering(exited: Promise<never>): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && this.running) {
      if (
        await fetch(`${this.url}/tokens/_`).then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!this.running) return exited;
    throw new Error(`broker on port ${this.port} did not answer within 20 s: ${this.output.slice(-800)}`);
  }

  /** Calls `listener` with the exit code or signal when the process ends. */
  onExit(listener: (how: { code: number | null; signal: NodeJS.Signals | null }) => void): void {
    this.child?.once('exit', (code, signal) => listener({ code, signal }));
  }

  /** SIGKILL: no shutdown hooks, no lock release, like a crash or an OOM kill. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
