import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The built broker, next to this file in dist/ (dist/apps/simulators/src -> dist/apps/token-broker/src). */
const BROKER_MAIN = join(__dirname, '../../token-broker/src/main.js');
const STOP_GRACE_MS = 15_000;

export interface DemoBrokerFiles {
  dataDir: string;
  providersFile: string;
  callersFile: string;
}

/**
 * The broker as `npm start` runs it, in embedded mode, with every file in the demo's own places and
 * a fresh master key and admin token, so it never reads or writes the user's config/ or data/.
 */
export class DemoBroker {
  readonly adminToken = randomBytes(24).toString('base64url');
  private child?: ChildProcess;
  private exitReason?: string;
  private stopping = false;

  constructor(
    readonly port: number,
    private readonly files: DemoBrokerFiles,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Why the process ended, if it did. */
  get exited(): string | undefined {
    return this.exitReason;
  }

  /** Starts the process; its own output (warnings and errors only) goes to this terminal. */
  start(onUnexpectedExit: (reason: string) => void): void {
    const child = spawn(process.execPath, [BROKER_MAIN], {
      cwd: this.files.dataDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        PORT: String(this.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        PROVIDERS_FILE: this.files.providersFile,
        CALLERS_FILE: this.files.callersFile,
        CREDENTIALS_FILE: join(this.files.dataDir, 'credentials.enc'),
        BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
        BROKER_MASTER_KEY_FILE: join(this.files.dataDir, 'master.key'),
        BROKER_ADMIN_TOKEN: this.adminToken,
      },
    });
    this.child = child;
    child.once('exit', (code, signal) => {
      this.exitReason = `the broker exited (${signal ?? `code ${code}`})`;
      if (!this.stopping) onUnexpectedExit(this.exitReason);
    });
  }

  /** SIGTERM, so the broker shuts down as in production; SIGKILL if it has not ended after a grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || this.exitReason) return;
    const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await ended;
    clearTimeout(timer);
  }
}
