import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig } from '@app/config';
import { startBroker, testRedisUrl } from './support/broker-harness';
import { brokerEnvironmentVariables } from './support/broker-variables';
import { constantSeconds } from './support/source-constants';
import {
  type Container,
  type Deployment,
  find,
  type K8sObject,
  mountVolumes,
  type PodDisruptionBudget,
  readKustomization,
  resolvedEnvironment,
  type Service,
  variableNames,
} from './support/k8s-manifests';

/**
 * No cluster runs the tests, so docker/k8s is checked against the app itself: the probes answer on a
 * booted broker, the variables are the config lib's, and the pod's environment and mounted files
 * load through the broker's own config loader.
 */
const root = process.cwd();
const dir = join(root, 'docker/k8s');
const { kustomization, objects } = readKustomization(dir);
const deployment = find<Deployment>(objects, 'Deployment')!;
const service = find<Service>(objects, 'Service')!;
const podSpec = deployment.spec.template.spec;
const container = podSpec.containers[0];
const podLabels = deployment.spec.template.metadata.labels;

/** Variable names in a container that the broker does not read (a typo would be silently ignored). */
function unknownVariables(candidate: Container, manifests: K8sObject[]): string[] {
  const known = brokerEnvironmentVariables();
  return variableNames(candidate, manifests).filter((name) => !known.has(name));
}

const selects = (selector: Record<string, string>) => Object.entries(selector).every(([key, value]) => podLabels[key] === value);

describe('docker/k8s', () => {
  it('applies every manifest in the directory with kubectl apply -k', () => {
    const manifests = readdirSync(dir).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...(kustomization.resources ?? [])].sort()).toEqual(manifests.sort());
    expect(objects.map((object) => object.kind).sort()).toEqual([
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Secret',
      'Service',
    ]);
  });

  it('runs three replicas behind a Service, at most one taken down at a time', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    expect(selects(service.spec.selector)).toBe(true);
    const budget = find<PodDisruptionBudget>(objects, 'PodDisruptionBudget')!.spec;
    expect(selects(budget.selector.matchLabels)).toBe(true);
    expect(budget.maxUnavailable).toBe(1);
  });

  it('names only variables the broker reads', () => {
    expect(variableNames(container, objects).length).toBeGreaterThan(10);
    expect(unknownVariables(container, objects)).toEqual([]);
  });

  it('would catch a misspelt variable, in env or in a ConfigMap', () => {
    const misspelt = { ...container, env: [...(container.env ?? []), { name: 'REDIS_SENTINEL_NAMES', value: 'mymaster' }] };
    expect(unknownVariables(misspelt, objects)).toEqual(['REDIS_SENTINEL_NAMES']);
    const settings = find(objects, 'ConfigMap', 'token-broker-env')!;
    const edited = objects.map((object) => (object === settings ? { ...settings, data: { ...settings.data, VAULT_PATH: 'x' } } : object));
    expect(unknownVariables(container, edited)).toEqual(['VAULT_PATH']);
  });

  describe('the pod as the kubelet would start it', () => {
    const podRoot = mkdtempSync(join(tmpdir(), 'tb-k8s-pod-'));
    const mounted = mountVolumes(podRoot, podSpec, container, objects);
    // what the operator creates by hand (docker/k8s/README.md): the master key
    const operatorSecrets: string[] = [];
    const env = resolvedEnvironment(container, objects, ({ name, key }) => {
      operatorSecrets.push(`${name}/${key}`);
      return operatorKey();
    });
    const inPod = (path: string) => join(podRoot, path);
    const fileVariables = Object.entries(env).filter(([, value]) => value.startsWith('/'));
    afterAll(() => rmSync(podRoot, { recursive: true, force: true }));

    it('points every file variable at a file a volume mounts, and mounts nothing unread', () => {
      expect(fileVariables.map(([name]) => name).sort()).toEqual(['CALLERS_FILE', 'PROVIDERS_FILE']);
      for (const [name, path] of fileVariables) expect({ name, mounted: mounted.includes(path) }).toEqual({ name, mounted: true });
      expect(mounted.sort()).toEqual(fileVariables.map(([, path]) => path).sort());
      for (const mount of container.volumeMounts ?? []) expect(mount.readOnly).toBe(true);
    });

    it('loads through the config lib: Redis through Sentinel, credentials in Vault, the port the container exposes', () => {
      const config = loadBrokerConfig(
        Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value.startsWith('/') ? inPod(value) : value])),
      );
      expect(config.redis?.topology).toBe('sentinel');
      expect(config.credentials.backend).toBe('vault');
      expect(config.providers.length).toBeGreaterThan(0);
      expect(config.callers.length).toBeGreaterThan(0);
      expect(container.ports).toEqual([{ name: 'http', containerPort: config.port }]);
      expect(service.spec.ports[0].targetPort).toBe('http');
    });

    it('takes the master key from a Secret kept out of the manifests', () => {
      expect(operatorSecrets).toEqual(['token-broker-master-key/BROKER_MASTER_KEY']);
      expect(env.BROKER_MASTER_KEY).toBeDefined();
    });

    it('starts a broker on that environment, Redis and Vault replaced by local stand-ins', async () => {
      const replaced = ['REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_PASSWORD', 'VAULT_ADDR'];
      const kept = Object.entries(env).filter(([name]) => !replaced.includes(name));
      const broker = await startBroker({
        providersYaml: 'providers: {}\n',
        redisUrl: testRedisUrl(),
        // only what the pod sets: no harness key, and no key file left behind by a local run
        env: {
          BROKER_MASTER_KEY: '',
          BROKER_MASTER_KEY_FILE: join(podRoot, 'absent.key'),
          ...Object.fromEntries(kept.map(([name, value]) => [name, value.startsWith('/') ? inPod(value) : value])),
          VAULT_ADDR: 'http://127.0.0.1:9',
        },
      });
      try {
        expect((await fetch(`${broker.url}${container.livenessProbe.httpGet.path}`)).status).toBe(200);
      } finally {
        await broker.close();
      }
    });
  });

  it('probes liveness and readiness on paths the broker answers, on its port', async () => {
    const { livenessProbe, readinessProbe } = container;
    expect([livenessProbe.httpGet, readinessProbe.httpGet]).toEqual([
      { path: '/health/live', port: 'http' },
      { path: '/health/ready', port: 'http' },
    ]);
    const broker = await startBroker({ providersYaml: 'providers:\n  unused: { type: smartdocumentor, baseUrl: "http://127.0.0.1:9" }\n' });
    try {
      for (const { httpGet } of [livenessProbe, readinessProbe, { httpGet: { path: '/health/unknown' } }]) {
        const response = await fetch(`${broker.url}${httpGet.path}`);
        expect({ path: httpGet.path, status: response.status }).toEqual({
          path: httpGet.path,
          status: httpGet.path === '/health/unknown' ? 404 : 200,
        });
      }
    } finally {
      await broker.close();
    }
  });

  it('gives graceful shutdown its time: preStop, then the refresh wait and the alert grace within the grace period', () => {
    const [program, seconds] = container.lifecycle.preStop.exec.command;
    expect(program).toBe('sleep');
    const shutdown =
      constantSeconds('libs/refresh/src/running-refreshes.ts', 'SHUTDOWN_WAIT_MS') +
      constantSeconds('libs/alerts/src/alert-notifier.service.ts', 'SHUTDOWN_GRACE_MS');
    expect(shutdown).toBeGreaterThanOrEqual(10);
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(Number(seconds) + shutdown + 5);
  });

  it('runs as a non-root user on a read-only root, with resources set', () => {
    expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toBeDefined();
    expect(podSpec.enableServiceLinks).toBe(false);
  });
});

/**
 * A key as `openssl rand -base64 32` makes one, but never one that starts with "/": below, a value
 * that does is taken for a file path (one random key in 64 did, and failed three cases).
 */
function operatorKey(): string {
  let key: string;
  do key = randomBytes(32).toString('base64');
  while (key.startsWith('/'));
  return key;
}
