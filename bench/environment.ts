import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerProcess } from '../test/support/broker-process';
import { callersYaml } from '../test/support/broker-harness';
import { freePort, RedisServer } from '../test/support/redis-server';
import { putJson, untilAnswering } from './bench-support';
import { writeCredentialsFile } from '../test/support/credentials-file';

export const CALLER_KEY = `tbk_bench-${randomBytes(8).toString('hex')}`;
export const ADMIN_TOKEN = `bench-admin-${randomBytes(16).toString('hex')}`;
export const CLIENT = { clientId: 'bench-client', clientSecret: `bench-secret-${randomBytes(4).toString('hex')}` };

/** One bench scene: a real redis-server, a SmartDocumentor simulator, and broker processes on 127.0.0.1. */
export class BenchScene {
  readonly redis = new RedisServer();
  readonly simulator: SmartDocumentorSimulator;
  readonly brokers: BrokerProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  private readonly masterKey = randomBytes(32).toString('base64');

  constructor(tokenLifetimeSeconds: number) {
    this.simulator = new SmartDocumentorSimulator(CLIENT, { tokenLifetimeSeconds });
  }

  async start(): Promise<void> {
    await Promise.all([this.redis.start(), this.simulator.start()]);
  }

  /**
   * Providers `ids` (all SmartDocumentor on the simulator), brokers sharing Redis unless `embedded`;
   * `seeded` writes every provider's credentials before the brokers start.
   */
  async startBrokers(
    ids: string[],
    count: number,
    options: { embedded?: boolean; refreshBefore?: string; seeded?: boolean; cgroup?: string } = {},
  ): Promise<BrokerProcess[]> {
    const name = randomBytes(3).toString('hex');
    const providers = ids.map(
      (id) => `  ${id}: { type: smartdocumentor, baseUrl: "${this.simulator.url}", refreshBefore: ${options.refreshBefore ?? '20%'} }`,
    );
    writeFileSync(join(this.dir, `providers-${name}.yaml`), `providers:\n${providers.join('\n')}\n`);
    writeFileSync(join(this.dir, 'callers.yaml'), callersYaml({ bench: { key: CALLER_KEY, allow: '*' } }));
    const env: Record<string, string> = {
      PROVIDERS_FILE: join(this.dir, `providers-${name}.yaml`),
      CALLERS_FILE: join(this.dir, 'callers.yaml'),
      CREDENTIALS_FILE: join(this.dir, `credentials-${name}.enc`),
      BROKER_MASTER_KEY: this.masterKey,
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      CALLER_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'info',
      ...(options.embedded ? {} : { REDIS_URL: this.redis.url, REDIS_KEY_PREFIX: `b${name}:` }),
    };
    const credentials = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
    if (options.seeded) writeCredentialsFile(env.CREDENTIALS_FILE, this.masterKey, ids, credentials);
    const started = await Promise.all(
      Array.from(
        { length: count },
        async () => new BrokerProcess(await freePort(), env, { logFile: join(this.dir, `broker-${name}.log`), cgroup: options.cgroup }),
      ),
    );
    await Promise.all(started.map((broker) => broker.start()));
    this.brokers.push(...started);
    return started;
  }

  async seed(broker: BrokerProcess, ids: string[]): Promise<void> {
    for (const id of ids) {
      await putJson(`${broker.url}/admin/credentials/${id}`, ADMIN_TOKEN, {
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
    }
    await untilAnswering(broker.url);
  }

  async stopBrokers(): Promise<void> {
    await Promise.all(this.brokers.splice(0).map((broker) => broker.kill('SIGTERM')));
  }

  /** Its directory goes too: brokers' logs and credentials files, hundreds of MB after a scale row. */
  async stop(): Promise<void> {
    await this.stopBrokers();
    await Promise.all([this.redis.stop(), this.simulator.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function tokenUrl(base: string, provider: string, query = ''): string {
  return `${base}/tokens/${provider}${query}`;
}

export async function fetchToken(url: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${CALLER_KEY}` } });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, token: body.access_token };
}
