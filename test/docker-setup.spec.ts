import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load as parse } from 'js-yaml';
import { loadBrokerConfig } from '@app/config';
import { DEMO_CALLER_KEY } from '../apps/simulators/src/demo-seed';
import { createDemoUpstreams, demoProvidersYaml } from '../apps/simulators/src/demo-upstreams';
import { SIMULATORS_ENV_VARS } from '../apps/simulators/src/simulators-environment';
import { startBroker, testRedisUrl } from './support/broker-harness';
import { brokerEnvironmentVariables } from './support/broker-variables';
import { BROKER_NODE_FLAGS } from './support/broker-process';
import { freePort } from './support/redis-server';
import { constantSeconds } from './support/source-constants';

/**
 * No Docker engine runs the tests, so the image and the compose demo are checked as files: each
 * property `docker compose up` relies on, and every path and variable they name.
 */
const root = process.cwd();
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions per stage (continuation lines joined, comments dropped). */
function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push([]);
    stages[stages.length - 1].push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

interface ComposeService {
  build?: { context: string; dockerfile: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
  profiles?: string[];
  stop_grace_period?: string;
  networks?: string[] | Record<string, { aliases?: string[] } | null>;
}

/** The networks a service is on, as compose attaches it, with the names it answers to there. */
function attachments(name: string, service: ComposeService): Map<string, string[]> {
  const networks = service.networks ?? ['default'];
  const entries = Array.isArray(networks)
    ? networks.map((network) => [network, []] as const)
    : Object.entries(networks).map(([network, settings]) => [network, settings?.aliases ?? []] as const);
  return new Map(entries.map(([network, aliases]) => [network, [name, ...aliases]]));
}

/** Whether `host` resolves, from service `from`, to exactly one other service on a network they share. */
function reachable(services: Record<string, ComposeService>, from: string, host: string): boolean {
  const own = attachments(from, services[from]);
  const answering = Object.entries(services).filter(
    ([name, service]) =>
      name !== from && [...attachments(name, service)].some(([network, hostnames]) => own.has(network) && hostnames.includes(host)),
  );
  return answering.length === 1;
}

describe('docker/Dockerfile', () => {
  const stages = dockerfileStages(read('docker/Dockerfile'));
  const final = stages[stages.length - 1];
  const all = stages.flat();

  it('builds in one stage and runs from another, on a supported Node LTS', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0].args).toMatch(/^node:(22|24)[-.\w]*( AS \w+)?$/i);
    expect(final.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=')).length).toBeGreaterThan(0);
  });

  it('starts the broker with the Node flags the tests and the bench start it with, as `npm start` does', () => {
    const command = ['node', ...BROKER_NODE_FLAGS, 'dist/apps/token-broker/src/main.js'];
    expect(JSON.parse(final.find((i) => i.keyword === 'CMD')?.args ?? 'null')).toEqual(command);
    expect((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start).toBe(command.join(' '));
  });

  it('runs no install scripts and installs no curl', () => {
    const runs = all.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const installs = runs.filter((args) => /\bnpm (ci|install|i)\b/.test(args));
    expect(installs.length).toBeGreaterThan(0);
    for (const args of installs) expect(args).toContain('--ignore-scripts');
    expect(runs.join('\n')).not.toMatch(/apt-get|apk add|curl|wget/);
  });

  it('runs as a non-root user, with a node HEALTHCHECK on /health/ready', () => {
    const user = final.filter((i) => i.keyword === 'USER').pop();
    expect(user?.args).toMatch(/^(?!root\b|0\b)\S+$/);
    expect(final.findIndex((i) => i.keyword === 'USER')).toBeLessThan(final.findIndex((i) => i.keyword === 'CMD'));
    const healthcheck = final.find((i) => i.keyword === 'HEALTHCHECK');
    const [, command] = /CMD (\[.*\])$/.exec(healthcheck?.args ?? '') ?? [];
    const [program, script] = JSON.parse(command) as string[];
    expect(program).toBe('node');
    const workdir = final.filter((i) => i.keyword === 'WORKDIR').pop()?.args;
    const copied = final.find((i) => i.keyword === 'COPY' && `${workdir}/${i.args.split(' ').pop()?.replace(/^\.\//, '')}` === script);
    expect(read(copied!.args.split(' ')[0])).toContain('/health/ready');
  });

  it('copies only paths that exist and the build context keeps', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    for (const { args } of all.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))) {
      for (const source of args.split(' ').slice(0, -1)) {
        expect({ source, exists: existsSync(join(root, source)) }).toEqual({ source, exists: true });
        expect(ignored).not.toContain(source.split('/')[0]);
      }
    }
  });

  it('sets only variables the broker knows', () => {
    const known = brokerEnvironmentVariables();
    for (const { args } of all.filter((i) => i.keyword === 'ENV'))
      for (const [name] of args.matchAll(/[A-Z_][A-Z0-9_]*(?==)/g)) expect(known).toContain(name);
  });
});

describe('.dockerignore', () => {
  it('keeps secrets, local state and build output out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'data', 'node_modules', 'dist']) expect(ignored).toContain(entry);
  });
});

describe('docker/compose.yaml', () => {
  const compose = parse(read('docker/compose.yaml')) as { services: Record<string, ComposeService> };
  const services = compose.services;
  const ours = Object.entries(services).filter(([, service]) => service.build?.dockerfile === 'docker/Dockerfile');
  const brokers = ours.filter(([, service]) => !service.command);
  const allSimulators = ours.filter(([, service]) => service.command?.some((arg) => arg.includes('apps/simulators/src/demo.js')));
  const simulatorsName = allSimulators.find(([, service]) => !service.profiles)?.[0];

  it('builds the brokers and the simulators from the repository Dockerfile', () => {
    expect(brokers.length).toBeGreaterThan(0);
    expect(simulatorsName).toBeDefined();
    for (const [, service] of ours) expect(service.build?.context).toBe('..');
  });

  it("gives every broker more time to stop than its own refresh wait, unlike Docker's default 10 s", () => {
    const waitSeconds = constantSeconds('libs/refresh/src/running-refreshes.ts', 'SHUTDOWN_WAIT_MS');
    for (const [name, service] of brokers) {
      const [, seconds] = /^(\d+)s$/.exec(service.stop_grace_period ?? '') ?? [];
      expect({ name, graceSeconds: Number(seconds) }).toEqual({ name, graceSeconds: expect.any(Number) });
      expect(Number(seconds)).toBeGreaterThanOrEqual(waitSeconds + 10);
    }
  });

  it('waits for health, not just a started container, wherever one service needs another', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.depends_on) continue;
      expect({ name, list: Array.isArray(service.depends_on) }).toEqual({ name, list: false });
      for (const [dependency, { condition }] of Object.entries(service.depends_on)) {
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        const target = services[dependency];
        // a healthcheck of its own, or the image's HEALTHCHECK when built from our Dockerfile
        const checked = !target.healthcheck?.disable && (!!target.healthcheck?.test || target.build?.dockerfile === 'docker/Dockerfile');
        expect({ dependency, checked }).toEqual({ dependency, checked: true });
      }
    }
  });

  it('sets only variables the broker (or, for the simulators, the demo) knows', () => {
    const known = brokerEnvironmentVariables();
    expect([...known]).toEqual(
      expect.arrayContaining(['PORT', 'REDIS_URL', 'VAULT_TOKEN', 'PROVIDERS_FILE', 'CALLERS_FILE', 'BROKER_ADMIN_TOKEN']),
    );
    for (const [name, service] of ours) {
      for (const variable of Object.keys(service.environment ?? {})) {
        const allowed =
          known.has(variable) ||
          (allSimulators.some(([simulator]) => simulator === name) && (SIMULATORS_ENV_VARS as readonly string[]).includes(variable));
        expect({ service: name, variable, allowed }).toEqual({ service: name, variable, allowed: true });
      }
    }
  });

  it('gives the brokers config files that exist in the image and load, with a caller for the documented demo key', () => {
    for (const [, broker] of brokers) {
      const env = broker.environment ?? {};
      // config/ is copied into the image's working directory, so the relative paths resolve there too
      for (const file of [env.PROVIDERS_FILE, env.CALLERS_FILE]) expect(file).toMatch(/^config\//);
      const config = loadBrokerConfig({ PROVIDERS_FILE: join(root, env.PROVIDERS_FILE), CALLERS_FILE: join(root, env.CALLERS_FILE) });
      const demo = config.callers.find((caller) => caller.keySha256 === createHash('sha256').update(DEMO_CALLER_KEY).digest('hex'));
      expect(demo?.allow).toBe('*');
      expect(read('README.md')).toContain(DEMO_CALLER_KEY);
    }
  });

  it('points the demo providers at the simulators service, on the ports the simulators use', () => {
    const expected = demoProvidersYaml(createDemoUpstreams(), (_, index) => `http://${simulatorsName}:${4101 + index}`);
    expect(parse(read('config/demo/providers.yaml'))).toEqual(parse(expected));
    for (const [name, service] of allSimulators) {
      expect({ name, host: service.environment?.SIMULATOR_HOST }).toEqual({ name, host: '0.0.0.0' });
      expect(service.environment?.SIMULATOR_BASE_PORT ?? '4101').toBe('4101');
    }
    for (const [name] of brokers) expect({ name, reaches: reachable(services, name, simulatorsName!) }).toEqual({ name, reaches: true });
  });

  it('lets each simulators service reach a broker with its admin token, and prints a URL that is published on the host', () => {
    for (const [name, service] of allSimulators) {
      const argv = service.command ?? [];
      const brokerUrl = new URL(argv[argv.indexOf('--broker') + 1]);
      const publicUrl = new URL(argv[argv.indexOf('--public-url') + 1]);
      const target = services[brokerUrl.hostname];
      expect(target.build?.dockerfile).toBe('docker/Dockerfile');
      expect(reachable(services, name, brokerUrl.hostname)).toBe(true);
      expect(brokerUrl.port).toBe(target.environment?.PORT ?? '3000');
      expect(service.environment?.BROKER_ADMIN_TOKEN).toBe(target.environment?.BROKER_ADMIN_TOKEN);
      expect(target.ports).toContainEqual(expect.stringMatching(new RegExp(`(^|:)${publicUrl.port}:${brokerUrl.port}$`)));
      expect(Object.keys(service.depends_on ?? {})).toContain(brokerUrl.hostname);
    }
  });

  it('starts every broker with its own environment, Redis and Vault replaced by local stand-ins', async () => {
    for (const [name, broker] of brokers) {
      const replaced = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'PROVIDERS_FILE', 'CALLERS_FILE', 'VAULT_ADDR'];
      const env = Object.fromEntries(Object.entries(broker.environment ?? {}).filter(([variable]) => !replaced.includes(variable)));
      const harness = await startBroker({
        providersYaml: 'providers:\n  unused: { type: smartdocumentor, baseUrl: "http://127.0.0.1:9" }\n',
        redisUrl: testRedisUrl(),
        // only what compose sets: no harness key, and no key file left behind by a local run
        env: {
          BROKER_MASTER_KEY: '',
          BROKER_MASTER_KEY_FILE: join(tmpdir(), `tb-absent-${name}.key`),
          VAULT_ADDR: 'http://127.0.0.1:9',
          ...env,
        },
      }).catch((error: Error) => error);
      expect({ name, started: !(harness instanceof Error) || harness.message }).toEqual({ name, started: true });
      if (!(harness instanceof Error)) await harness.close();
    }
  });
});

describe('docker/compose.yaml, sentinel profile', () => {
  const services = (parse(read('docker/compose.yaml')) as { services: Record<string, ComposeService> }).services;
  const profile = Object.entries(services).filter(([, service]) => service.profiles?.includes('sentinel'));
  const names = profile.map(([name]) => name);
  const sentinels = profile.filter(([, service]) => service.command?.join(' ').includes('--sentinel'));
  const brokers = profile.filter(([, service]) => service.build && !service.command);
  const [, monitored, primaryHost, primaryPort, quorum] =
    /sentinel monitor (\S+) (\S+) (\d+) (\d+)/.exec(sentinels[0]?.[1].command?.join(' ') ?? '') ?? [];

  it('runs a primary, a replica, three sentinels (quorum 2), two brokers and their simulators', () => {
    expect(names.sort()).toEqual(
      [
        'broker-sentinel-1',
        'broker-sentinel-2',
        'redis-primary',
        'redis-replica',
        'sentinel-1',
        'sentinel-2',
        'sentinel-3',
        'simulators-sentinel',
      ].sort(),
    );
    expect(sentinels.map(([name]) => name)).toEqual(['sentinel-1', 'sentinel-2', 'sentinel-3']);
    for (const [, sentinel] of sentinels) expect(sentinel.command).toEqual(sentinels[0][1].command);
    expect({ primaryHost, primaryPort, quorum }).toEqual({ primaryHost: 'redis-primary', primaryPort: '6379', quorum: '2' });
    const replica = services['redis-replica'].command!;
    expect(replica.slice(replica.indexOf('--replicaof') + 1, replica.indexOf('--replicaof') + 3)).toEqual([primaryHost, primaryPort]);
    expect(services[primaryHost].command).not.toContain('--replicaof');
  });

  it('checks health the way each needs: sentinels by quorum, the replica by its link, the brokers by readiness', () => {
    for (const [, sentinel] of sentinels) expect(sentinel.healthcheck?.test?.join(' ')).toContain(`ckquorum ${monitored}`);
    expect(services['redis-replica'].healthcheck?.test?.join(' ')).toContain('master_link_status:up');
    expect(services[primaryHost].healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const [, broker] of brokers) expect(broker.build?.dockerfile).toBe('docker/Dockerfile');
  });

  it('points its brokers at every sentinel by the name they monitor, and keeps their credentials apart', () => {
    const defaultPrefixes = Object.values(services)
      .filter((service) => !service.profiles && service.environment?.VAULT_ADDR)
      .map((service) => service.environment?.VAULT_PATH_PREFIX ?? 'token-broker');
    expect(brokers.length).toBe(2);
    for (const [name, broker] of brokers) {
      const env = broker.environment ?? {};
      expect(env.REDIS_SENTINELS?.split(',')).toEqual(sentinels.map(([sentinel]) => `${sentinel}:26379`));
      expect(env.REDIS_SENTINEL_NAME).toBe(monitored);
      expect(defaultPrefixes).not.toContain(env.VAULT_PATH_PREFIX);
      for (const host of [...sentinels.map(([sentinel]) => sentinel), new URL(env.VAULT_ADDR).hostname, 'simulators']) {
        expect({ name, host, reaches: reachable(services, name, host) }).toEqual({ name, host, reaches: true });
      }
      const config = loadBrokerConfig({
        ...env,
        PROVIDERS_FILE: join(root, env.PROVIDERS_FILE),
        CALLERS_FILE: join(root, env.CALLERS_FILE),
      });
      expect(config.redis).toMatchObject({ topology: 'sentinel', name: monitored });
    }
  });

  it('leaves the default demo independent of the profile', () => {
    for (const [name, service] of Object.entries(services).filter(([, candidate]) => !candidate.profiles)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect({ name, dependency, inProfile: names.includes(dependency) }).toEqual({ name, dependency, inProfile: false });
    }
  });
});

describe('docker/healthcheck.js', () => {
  const run = (port: number): Promise<number> =>
    promisify(execFile)(process.execPath, [join(root, 'docker/healthcheck.js')], { env: { PORT: String(port) } }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );

  it('passes while the broker is ready', async () => {
    const broker = await startBroker({ providersYaml: 'providers:\n  unused: { type: smartdocumentor, baseUrl: "http://127.0.0.1:9" }\n' });
    try {
      expect(await run(Number(new URL(broker.url).port))).toBe(0);
    } finally {
      await broker.close();
    }
  });

  it('fails when nothing listens, and when readiness answers 503', async () => {
    expect(await run(await freePort())).toBe(1);
    const notReady = createServer((_, res) => res.writeHead(503).end('{"error":"not_ready"}'));
    await new Promise<void>((resolve) => notReady.listen(0, '127.0.0.1', resolve));
    try {
      expect(await run((notReady.address() as { port: number }).port)).toBe(1);
    } finally {
      notReady.close();
    }
  });
});
