import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { PassolutionSimulator } from '@app/providers/testing';
import { readOutbox } from '@app/refresh/testing';
import { SecretBox } from '@app/credentials';
import { EncryptedFileCredentialStore } from '../../libs/credentials/src/encrypted-file-credential-store';
import { BrokerProcess } from './broker-process';
import { freePort } from './redis-server';
import { CALLER_KEY, callersYaml } from './broker-harness';
import { describeVerdict, judge, type ChaosVerdict, type Served } from './passolution-chaos-verdict';
import { TEST_SECRETS } from './test-secrets';

const CLIENT = { clientId: 'pa-client', clientSecret: TEST_SECRETS.passolutionSecret };
const ADMIN = TEST_SECRETS.adminToken;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How the brokers reach Redis, and a client of the same Redis for the verdict. */
export interface ChaosRedis {
  /** The brokers' variables for it (read once it runs). */
  env(): Record<string, string>;
  connect(): Redis | Cluster;
}

/**
 * The core of the Passolution chaos runs: three broker processes on one Redis topology, six
 * callers picking a live broker at random, an operator who re-authorizes when the broker says it
 * must, and the verdict (simulator's report, the refresh token the broker holds, expired tokens
 * served, 5xx while a token callers had was still valid). Each spec brings its own faults.
 */
export class PassolutionChaos {
  readonly simulator: PassolutionSimulator;
  readonly dir = mkdtempSync(join(tmpdir(), 'tb-multi-'));
  readonly masterKey = randomBytes(32).toString('base64');
  readonly prefix = 'mp:';
  readonly served: Served[] = [];
  readonly kills: Array<{ at: number; back: number }> = [];
  readonly reauthorizations: number[] = [];
  brokers: BrokerProcess[] = [];
  private stopAt = 0;
  private runMs = 0;

  constructor(
    private readonly redis: ChaosRedis,
    options: { tokenLifetimeSeconds: number },
  ) {
    this.simulator = new PassolutionSimulator(CLIENT, options);
  }

  async start(env: Record<string, string>): Promise<void> {
    await this.simulator.start();
    writeFileSync(
      join(this.dir, 'providers.yaml'),
      `providers:\n  passolution: { type: passolution, baseUrl: "${this.simulator.url}", refreshBefore: 50% }\n`,
    );
    writeFileSync(join(this.dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: ['passolution'] } }));
    const brokerEnv = {
      ...this.redis.env(),
      REDIS_KEY_PREFIX: this.prefix,
      PROVIDERS_FILE: join(this.dir, 'providers.yaml'),
      CALLERS_FILE: join(this.dir, 'callers.yaml'),
      CALLER_RATE_LIMIT: '1000000',
      CREDENTIALS_FILE: join(this.dir, 'credentials.enc'),
      BROKER_MASTER_KEY: this.masterKey,
      BROKER_ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'debug', // captured and checked for secrets at teardown
      ...env,
    };
    this.brokers = await Promise.all([0, 1, 2].map(async () => new BrokerProcess(await freePort(), brokerEnv)));
    await Promise.all(this.brokers.map((broker) => broker.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.brokers.map((broker) => broker.kill()));
    await this.simulator.stop();
  }

  live(): BrokerProcess[] {
    return this.brokers.filter((broker) => broker.running);
  }

  running(): boolean {
    return Date.now() < this.stopAt;
  }

  /** Waits until `ms` into the run. */
  async at(ms: number): Promise<void> {
    await sleep(Math.max(0, ms - (this.runMs - (this.stopAt - Date.now()))));
  }

  /** SIGKILLs the victims and starts them again 300 ms later. */
  async restart(victims: BrokerProcess[]): Promise<void> {
    const at = Date.now();
    await Promise.all(victims.map((victim) => victim.kill('SIGKILL')));
    await sleep(300);
    await Promise.all(victims.map((victim) => victim.start()));
    this.kills.push({ at, back: Date.now() });
  }

  /** Resolves once the next request reaches the upstream: a refresh is at the upstream now. */
  async untilNextCallArrives(): Promise<void> {
    const calls = this.simulator.calls.length;
    while (this.simulator.calls.length === calls && this.running()) await sleep(2);
  }

  /** Seeds the credentials, runs callers and operator for `runMs` alongside `faults`, then stops the brokers gracefully. */
  async run(runMs: number, faults: () => Promise<void>): Promise<void> {
    await this.seed(this.brokers[0], this.simulator.currentRefreshToken);
    this.runMs = runMs;
    this.stopAt = Date.now() + runMs;
    const callers = Array.from({ length: 6 }, async () => {
      while (this.running()) {
        const targets = this.live();
        const broker = targets[Math.floor(Math.random() * targets.length)];
        if (broker) this.served.push(await fetchToken(broker));
        await sleep(15);
      }
    });
    const operator = (async () => {
      while (this.running()) {
        await sleep(300);
        await this.lookForReauthorization();
      }
    })();
    await Promise.all([...callers, operator, faults()]);
    await sleep(3_000); // let a last refresh and any outbox commit settle
    await this.lookForReauthorization();
    await sleep(1_000);
    // SIGTERM lets a refresh in flight finish and commit: after it, store and upstream must agree
    await Promise.all(this.brokers.map((broker) => broker.kill('SIGTERM')));
  }

  /** A person re-authorizes when the broker says it must. */
  async lookForReauthorization(): Promise<void> {
    const broker = this.live()[0];
    if (!broker || (await fetchToken(broker)).error !== 'reauthorization_required') return;
    this.reauthorizations.push(Date.now());
    await this.seed(broker, this.simulator.reauthorize());
  }

  async seed(broker: BrokerProcess, refreshToken: string): Promise<void> {
    const res = await fetch(`${broker.url}/admin/credentials/passolution`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: refreshToken }),
    });
    if (res.status !== 204) throw new Error(`seeding credentials answered ${res.status}`);
  }

  async verdict(): Promise<ChaosVerdict> {
    return judge(this, await this.heldRefreshToken());
  }

  describe(label: string, verdict: ChaosVerdict, extra: Record<string, unknown> = {}): string {
    return describeVerdict(label, this, verdict, extra);
  }

  private async heldRefreshToken(): Promise<string | undefined> {
    const client = this.redis.connect();
    try {
      const pending = await readOutbox(client, this.prefix, 'passolution', this.masterKey);
      if (pending) return pending.rotated.refresh_token;
    } finally {
      client.disconnect();
    }
    const store = new EncryptedFileCredentialStore(join(this.dir, 'credentials.enc'), new SecretBox(Buffer.from(this.masterKey, 'base64')));
    return (await store.get('passolution'))?.values.refresh_token;
  }
}

async function fetchToken(broker: BrokerProcess): Promise<Served> {
  const sentAt = Date.now();
  try {
    const res = await fetch(`${broker.url}/tokens/passolution`, { headers: { authorization: `Bearer ${CALLER_KEY}` } });
    const body = (await res.json()) as { access_token?: string; error?: string };
    return { sentAt, at: Date.now(), status: res.status, token: body.access_token, error: body.error };
  } catch {
    return { sentAt, at: Date.now(), status: 0, error: 'connection' }; // a replica that was just killed
  }
}
