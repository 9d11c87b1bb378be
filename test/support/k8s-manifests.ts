import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';

/** The parts of Kubernetes objects the manifest checks read; the manifests are parsed as plain YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: unknown;
  resources?: string[];
}

type Labels = Record<string, string>;
export interface Deployment {
  spec: {
    replicas: number;
    selector: { matchLabels: Labels };
    strategy: { rollingUpdate: { maxUnavailable: number } };
    template: { metadata: { labels: Labels }; spec: PodSpec };
  };
}
export interface Service {
  spec: { selector: Labels; ports: { name: string; port: number; targetPort: string | number }[] };
}
export interface PodDisruptionBudget {
  spec: { selector: { matchLabels: Labels }; maxUnavailable?: number };
}

interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef };
}
export interface KeyRef {
  name: string;
  key: string;
}
interface EnvSource {
  configMapRef?: { name: string };
  secretRef?: { name: string };
  prefix?: string;
}
interface KeyToPath {
  key: string;
  path: string;
}
interface Volume {
  name: string;
  configMap?: { name: string; items: KeyToPath[] };
  secret?: { secretName: string; items: KeyToPath[] };
}
interface HttpProbe {
  httpGet: { path: string; port: string | number };
}
export interface Container {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvEntry[];
  envFrom?: EnvSource[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe: HttpProbe;
  readinessProbe: HttpProbe;
  lifecycle: { preStop: { exec: { command: string[] } } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
}
export interface PodSpec {
  containers: Container[];
  volumes: Volume[];
  terminationGracePeriodSeconds: number;
  enableServiceLinks?: boolean;
  securityContext: { runAsUser?: number; [field: string]: unknown };
}

/** Every object of the resources a kustomization.yaml lists, in order. */
export function readKustomization(dir: string): { kustomization: K8sObject; objects: K8sObject[] } {
  const kustomization = loadAll(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0] as K8sObject;
  const objects = (kustomization.resources ?? []).flatMap((file) => loadAll(readFileSync(join(dir, file), 'utf8')) as K8sObject[]);
  return { kustomization, objects };
}

/** The object of that kind (and name), typed as the checks read it. */
export function find<T = unknown>(objects: K8sObject[], kind: string, name?: string): (K8sObject & T) | undefined {
  return objects.find((object) => object.kind === kind && (name === undefined || object.metadata.name === name)) as
    (K8sObject & T) | undefined;
}

/** A ConfigMap's or Secret's entries as the pod sees them; undefined when the manifests leave it out. */
function entries(objects: K8sObject[], kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> | undefined {
  const object = find(objects, kind, name);
  if (!object) return undefined;
  const decoded = Object.fromEntries(
    Object.entries(object.data ?? {}).map(([key, value]) => [key, kind === 'Secret' ? Buffer.from(value, 'base64').toString() : value]),
  );
  return { ...decoded, ...object.stringData };
}

/** The names of the variables a container gets: its own `env` and every key of its `envFrom` sources. */
export function variableNames(container: Container, objects: K8sObject[]): string[] {
  const fromSources = (container.envFrom ?? []).flatMap((source) => {
    const [kind, ref] = source.configMapRef ? (['ConfigMap', source.configMapRef] as const) : (['Secret', source.secretRef!] as const);
    return Object.keys(entries(objects, kind, ref.name) ?? {}).map((key) => `${source.prefix ?? ''}${key}`);
  });
  return [...fromSources, ...(container.env ?? []).map((entry) => entry.name)];
}

/**
 * The container's environment with every reference resolved from the manifests (later entries win, as
 * in Kubernetes); a reference to a Secret the manifests leave to the operator gets `operatorSecret`'s value.
 */
export function resolvedEnvironment(
  container: Container,
  objects: K8sObject[],
  operatorSecret: (ref: KeyRef) => string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const [kind, ref] = source.configMapRef ? (['ConfigMap', source.configMapRef] as const) : (['Secret', source.secretRef!] as const);
    for (const [key, value] of Object.entries(entries(objects, kind, ref.name) ?? {})) env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const { name, value, valueFrom } of container.env ?? []) {
    if (value !== undefined) env[name] = value;
    const ref = valueFrom?.configMapKeyRef ?? valueFrom?.secretKeyRef;
    if (!ref) continue;
    const kind = valueFrom?.configMapKeyRef ? 'ConfigMap' : 'Secret';
    const source = entries(objects, kind, ref.name);
    const resolved = source ? source[ref.key] : kind === 'Secret' ? operatorSecret(ref) : undefined;
    if (resolved !== undefined) env[name] = resolved;
  }
  return env;
}

/**
 * Lays out the container's volume mounts under `root` as the kubelet does (each file a symlink into
 * `..data/`), from the manifests' ConfigMaps and Secrets. Returns every file path the container would see.
 */
export function mountVolumes(root: string, podSpec: PodSpec, container: Container, objects: K8sObject[]): string[] {
  const files: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = podSpec.volumes.find((candidate) => candidate.name === mount.name)!;
    const [kind, name] = volume.configMap
      ? (['ConfigMap', volume.configMap.name] as const)
      : (['Secret', volume.secret!.secretName] as const);
    const { items } = volume.configMap ?? volume.secret!;
    const content = entries(objects, kind, name);
    if (!content) throw new Error(`volume ${volume.name}: ${kind} ${name} is not in the manifests`);
    for (const { key, path } of items) {
      const target = join(root, mount.mountPath, '..data', path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content[key]);
      symlinkSync(join('..data', path), join(root, mount.mountPath, path));
      files.push(join(mount.mountPath, path));
    }
  }
  return files;
}
