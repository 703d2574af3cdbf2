// Seeded synthetic cluster: a `kubectl get -A -o json`-style dump of a chosen size, written as a stream.
//
// Same preset and seed give the same bytes: a private PRNG (mulberry32), no clock, no Math.random,
// and objects whose key order is fixed. Objects look like what `kubectl get -o json` prints (status
// included, managedFields not, as kubectl hides them), compact, so that parsing costs what a real
// dump costs per object while 100,000 pods stay under Node's ~512 MB string limit.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type PresetName = 'small' | 'rbac' | 'large';

/** Object counts of a generated cluster (exact: the generator writes precisely these). */
export interface ClusterSize {
  /** Namespaces, the nine fixed ones (kube-system, argocd, ...) included. */
  namespaces: number;
  nodes: number;
  serviceAccounts: number;
  pods: number;
  /** Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs together. */
  workloads: number;
  secrets: number;
  /** Roles and ClusterRoles together. */
  roles: number;
  /** RoleBindings and ClusterRoleBindings together. */
  bindings: number;
  /** Size of the pool of user names that bindings draw from. */
  users: number;
  /** Size of the pool of group names that bindings draw from. */
  groups: number;
}

export const PRESETS: Record<PresetName, ClusterSize> = {
  small: { namespaces: 14, nodes: 5, serviceAccounts: 60, pods: 150, workloads: 60, secrets: 80, roles: 70, bindings: 140, users: 12, groups: 6 },
  rbac: { namespaces: 500, nodes: 60, serviceAccounts: 6_000, pods: 3_000, workloads: 800, secrets: 4_000, roles: 10_000, bindings: 30_000, users: 3_000, groups: 250 },
  large: { namespaces: 1_000, nodes: 1_000, serviceAccounts: 20_000, pods: 100_000, workloads: 14_000, secrets: 50_000, roles: 10_000, bindings: 30_000, users: 3_000, groups: 250 },
};

/** What the generator wrote, per snapshot collection (ClusterRoles count as roles, and so on). */
export interface GeneratedCounts {
  namespaces: number;
  nodes: number;
  serviceAccounts: number;
  pods: number;
  workloads: number;
  secrets: number;
  roles: number;
  bindings: number;
}

export interface GenerateResult {
  file: string;
  preset: PresetName | 'custom';
  seed: number;
  bytes: number;
  /** sha256 of the file's bytes, computed while writing. */
  sha256: string;
  counts: GeneratedCounts;
  /** By kind, for the record (ClusterRole, RoleBinding, Deployment, ...). */
  kinds: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for shapes, fully determined by the seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
const HEX = '0123456789abcdef';

export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** An index in [0, n) that favours low values: a few big namespaces, a long tail of small ones. */
  skewed(n: number, power = 1.8): number {
    return Math.min(n - 1, Math.floor(n * Math.pow(this.next(), power)));
  }
  weighted<T>(table: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of table) total += w;
    let x = this.next() * total;
    for (const [w, v] of table) {
      x -= w;
      if (x < 0) return v;
    }
    return table[table.length - 1][1];
  }
  /** Distinct picks (fewer when xs is short). */
  sample<T>(xs: readonly T[], k: number): T[] {
    if (k >= xs.length) return [...xs];
    const seen = new Set<number>();
    const out: T[] = [];
    while (out.length < k) {
      const i = this.int(xs.length);
      if (seen.has(i)) continue;
      seen.add(i);
      out.push(xs[i]);
    }
    return out;
  }
  chars(n: number, alphabet = ALNUM): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  uid(): string {
    return `${this.chars(8, HEX)}-${this.chars(4, HEX)}-4${this.chars(3, HEX)}-${this.pick(['8', '9', 'a', 'b'])}${this.chars(3, HEX)}-${this.chars(12, HEX)}`;
  }
  /** An RFC 3339 time in 2024, as the API server prints it. */
  time(): string {
    const base = Date.UTC(2024, 0, 1);
    return new Date(base + this.int(365 * 86400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  base64(bytes: number): string {
    const raw = this.chars(bytes, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.');
    return Buffer.from(raw, 'latin1').toString('base64');
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming writer

type J = Record<string, unknown>;

/** Appends items to a `List`, flushing about 1 MB at a time; hashes the bytes it writes. */
class DumpWriter {
  private parts: string[] = [];
  private pending = 0;
  private first = true;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  readonly kinds: Record<string, number> = {};

  constructor(private readonly fd: number) {
    this.raw('{"apiVersion":"v1","kind":"List","items":[');
  }

  item(o: J): void {
    const kind = o.kind as string;
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    const s = JSON.stringify(o);
    this.raw(this.first ? s : `,${s}`);
    this.first = false;
  }

  private raw(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    writeSync(this.fd, buf);
    this.hash.update(buf);
    this.bytes += buf.length;
  }

  close(): string {
    this.raw('],"metadata":{"resourceVersion":""}}\n');
    this.flush();
    return this.hash.digest('hex');
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const PRODUCTS = [
  'payments', 'checkout', 'catalog', 'search', 'orders', 'billing', 'identity', 'inventory', 'shipping', 'pricing',
  'reviews', 'recommend', 'notify', 'ledger', 'fraud', 'analytics', 'reporting', 'media', 'chat', 'booking',
  'loyalty', 'partner', 'warehouse', 'routing', 'tax', 'invoice', 'support', 'cms', 'gateway', 'profile',
];
const ENVS = ['prod', 'staging', 'dev', 'qa', 'sandbox'];
const COMPONENTS = ['api', 'worker', 'web', 'frontend', 'backend', 'consumer', 'scheduler', 'sync', 'migrator', 'reporter', 'cache', 'proxy', 'indexer', 'exporter', 'cron'];
const SECRET_KINDS = ['db-credentials', 'api-key', 'oauth-client', 'redis-password', 'smtp', 'jwt-signing-key', 's3-access', 'webhook-token', 'kafka-sasl', 'sentry-dsn'];
const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'nina', 'oscar', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yara'];
const LAST = ['smith', 'jones', 'garcia', 'miller', 'davis', 'lopez', 'wilson', 'moore', 'taylor', 'thomas', 'lee', 'white', 'harris', 'clark', 'lewis', 'young', 'walker', 'hall', 'allen', 'king'];

const PSA = 'pod-security.kubernetes.io/';
const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const AGG = 'rbac.authorization.k8s.io/aggregate-to-';

/** Namespaces every generated cluster has; the rest are `<product>-<env>[-n]`. */
const FIXED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'monitoring', 'ingress-nginx', 'cert-manager', 'argocd', 'ci'];

/** Controllers bound by bootstrap ClusterRoleBindings (labelled rbac-defaults: system subjects). */
const CONTROLLERS = ['replicaset-controller', 'deployment-controller', 'daemon-set-controller', 'job-controller', 'namespace-controller', 'generic-garbage-collector', 'clusterrole-aggregation-controller'];

/** Service accounts every generated cluster has, besides each namespace's `default`. */
const FIXED_SAS: ReadonlyArray<[string, string]> = [
  ...CONTROLLERS.map((c): [string, string] => ['kube-system', c]),
  ['kube-system', 'kube-proxy'], ['kube-system', 'coredns'], ['kube-system', 'calico-node'], ['kube-system', 'fluent-bit'],
  ['kube-system', 'legacy-admin'], ['monitoring', 'prometheus'], ['monitoring', 'node-exporter'], ['ingress-nginx', 'ingress-nginx'],
  ['cert-manager', 'cert-manager'], ['argocd', 'argocd-application-controller'], ['argocd', 'argocd-server'], ['argocd', 'argocd-repo-server'],
  ['ci', 'deployer'], ['ci', 'runner'],
];

interface Rule {
  apiGroups?: string[];
  nonResourceURLs?: string[];
  resourceNames?: string[];
  resources?: string[];
  verbs: string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const ALL_VERBS = [...WRITE, 'deletecollection'];
const r = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): Rule =>
  resourceNames ? { apiGroups, resourceNames, resources, verbs } : { apiGroups, resources, verbs };
const nr = (nonResourceURLs: string[], verbs: string[]): Rule => ({ nonResourceURLs, verbs });

/** Rules of namespaced Roles, by weight: mostly harmless, some that matter (pods create, secrets, exec). */
const NS_RULES: ReadonlyArray<readonly [number, (rng: Rand) => Rule]> = [
  [10, () => r([''], ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'events'], READ)],
  [6, () => r(['apps'], ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], READ)],
  [4, () => r(['apps'], ['deployments', 'deployments/scale'], WRITE)],
  [3, () => r(['batch'], ['jobs', 'cronjobs'], ALL_VERBS)],
  [4, (g) => r([''], ['configmaps'], ['get', 'update', 'patch'], [`${g.pick(COMPONENTS)}-config`, `${g.pick(COMPONENTS)}-flags`])],
  [3, (g) => r([''], ['secrets'], ['get'], [`${g.pick(COMPONENTS)}-${g.pick(SECRET_KINDS)}`])],
  [1.5, () => r([''], ['secrets'], READ)],
  [1, () => r([''], ['pods/exec', 'pods/portforward'], ['create'])],
  [1, () => r([''], ['pods'], ['create', 'delete', 'get', 'list'])],
  [3, () => r(['coordination.k8s.io'], ['leases'], WRITE)],
  [2, () => r(['', 'events.k8s.io'], ['events'], ['create', 'patch'])],
  [2, () => r(['apps'], ['deployments/scale', 'statefulsets/scale'], ['get', 'update', 'patch'])],
  [0.5, () => r(['*'], ['*/scale'], ['get', 'update'])],
  [2, () => r(['monitoring.coreos.com'], ['servicemonitors', 'podmonitors', 'prometheusrules'], READ)],
  [2, () => r(['cert-manager.io'], ['certificates', 'certificaterequests', 'issuers'], ['*'])],
  [1, () => r(['networking.k8s.io'], ['ingresses', 'networkpolicies'], READ)],
  [1, () => r([''], ['serviceaccounts'], ['get', 'list'])],
  [1, () => r(['argoproj.io'], ['applications', 'appprojects'], READ)],
  [1, () => r([RBAC_GROUP], ['rolebindings', 'roles'], ['get', 'list'])],
  [0.5, () => r(['*'], ['*'], READ)],
  [0.3, () => r([''], ['serviceaccounts/token'], ['create'])],
  [0.3, () => r([''], ['pods/ephemeralcontainers'], ['update', 'patch'])],
  [0.2, () => r(['*'], ['*'], ['*'])],
];

/** Rules of operator ClusterRoles bound cluster-wide; a few are broad, as operators' often are. */
const CLUSTER_RULES: ReadonlyArray<readonly [number, (rng: Rand) => Rule]> = [
  [8, () => r([''], ['nodes', 'namespaces'], READ)],
  [6, () => r([''], ['pods', 'services', 'endpoints', 'configmaps'], READ)],
  [4, (g) => r([`${g.pick(PRODUCTS)}.example.com`], ['*'], ['*'])],
  [3, () => r(['apiextensions.k8s.io'], ['customresourcedefinitions'], READ)],
  [3, () => r(['coordination.k8s.io'], ['leases'], WRITE)],
  [2, () => r(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update'])],
  [2, () => nr(['/metrics', '/metrics/cadvisor'], ['get'])],
  [2, () => r(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], ['get', 'list', 'watch', 'update'])],
  [2, () => r(['apps'], ['deployments', 'statefulsets', 'daemonsets'], READ)],
  [1, () => r(['*'], ['*/scale'], ['get', 'update', 'patch'])],
  [1, () => r(['storage.k8s.io'], ['storageclasses', 'volumeattachments'], READ)],
  [1, (g) => r([''], ['configmaps'], ['get', 'update'], [`${g.pick(PRODUCTS)}-leader`])],
  [0.15, () => r([''], ['secrets'], READ)],
  [0.1, () => r([''], ['pods'], ['create', 'delete'])],
  [0.1, () => r(['apps'], ['deployments', 'daemonsets'], ['create', 'update', 'patch'])],
  [0.1, () => r([''], ['pods/exec'], ['create'])],
  [0.02, () => r(['*'], ['*'], ['*'])],
];

/** CRD roles labelled to aggregate into admin/edit/view: only their own group, so aggregation stays harmless. */
const CRD_GROUPS = ['monitoring.coreos.com', 'cert-manager.io', 'argoproj.io', 'networking.istio.io', 'keda.sh', 'velero.io', 'external-secrets.io'];

// ---------------------------------------------------------------------------------------------
// Object shapes

interface Ctx {
  rng: Rand;
  w: DumpWriter;
  rv: number;
}

function meta(c: Ctx, name: string, namespace: string | null, extra: J = {}): J {
  const m: J = { ...extra, creationTimestamp: c.rng.time(), name };
  if (namespace !== null) m.namespace = namespace;
  m.resourceVersion = String(++c.rv);
  m.uid = c.rng.uid();
  return m;
}

function sortKeys(o: J): J {
  const out: J = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

function metaSorted(c: Ctx, name: string, namespace: string | null, extra: J = {}): J {
  return sortKeys(meta(c, name, namespace, extra));
}

function ip(rng: Rand, prefix: string): string {
  return `${prefix}.${rng.int(256)}.${rng.between(1, 254)}`;
}

/** A template's pod-level pieces, shared by every pod of a workload (JSON.stringify does not mind sharing). */
interface Template {
  ns: string;
  app: string;
  sa: string;
  automount: boolean | null;
  hostPID: boolean;
  hostNetwork: boolean;
  containers: J[];
  initContainers: J[];
  volumes: J[];
  tolerations: J[] | null;
  nodeSelector: J | null;
  priorityClassName: string | null;
}

const DEFAULT_TOLERATIONS: J[] = [
  { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
  { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
];

function templateSpec(t: Template, withToken: boolean, tokenVolume: string | null): J {
  const spec: J = {};
  if (t.automount !== null) spec.automountServiceAccountToken = t.automount;
  const mount = tokenVolume && withToken ? { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: tokenVolume, readOnly: true } : null;
  const withMount = (cs: J[]): J[] => (mount ? cs.map((x) => ({ ...x, volumeMounts: [...(x.volumeMounts as J[]), mount] })) : cs);
  spec.containers = withMount(t.containers);
  spec.dnsPolicy = t.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst';
  spec.enableServiceLinks = true;
  if (t.hostNetwork) spec.hostNetwork = true;
  if (t.hostPID) spec.hostPID = true;
  if (t.initContainers.length > 0) spec.initContainers = withMount(t.initContainers);
  return spec;
}

function podSpec(t: Template, tokenVolume: string | null, nodeName: string | null): J {
  const withToken = t.automount !== false;
  const spec = templateSpec(t, withToken, tokenVolume);
  if (nodeName) spec.nodeName = nodeName;
  if (t.nodeSelector) spec.nodeSelector = t.nodeSelector;
  spec.preemptionPolicy = 'PreemptLowerPriority';
  spec.priority = t.priorityClassName ? 2000001000 : 0;
  if (t.priorityClassName) spec.priorityClassName = t.priorityClassName;
  spec.restartPolicy = 'Always';
  spec.schedulerName = 'default-scheduler';
  spec.securityContext = {};
  spec.serviceAccount = t.sa;
  spec.serviceAccountName = t.sa;
  spec.terminationGracePeriodSeconds = 30;
  spec.tolerations = t.tolerations ?? DEFAULT_TOLERATIONS;
  const vols = [...t.volumes];
  if (tokenVolume && withToken) {
    vols.push({
      name: tokenVolume,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
          { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
        ],
      },
    });
  }
  if (vols.length > 0) spec.volumes = vols;
  return spec;
}

function workloadTemplate(t: Template, labels: J): J {
  const spec = templateSpec(t, false, null);
  if (t.nodeSelector) spec.nodeSelector = t.nodeSelector;
  if (t.priorityClassName) spec.priorityClassName = t.priorityClassName;
  spec.restartPolicy = 'Always';
  spec.schedulerName = 'default-scheduler';
  spec.securityContext = {};
  spec.serviceAccountName = t.sa;
  spec.terminationGracePeriodSeconds = 30;
  if (t.tolerations) spec.tolerations = t.tolerations;
  if (t.volumes.length > 0) spec.volumes = t.volumes;
  return { metadata: { labels }, spec };
}

function container(rng: Rand, name: string, image: string, opts: { env?: J[]; envFrom?: J[]; mounts?: J[]; securityContext?: J; ports?: boolean } = {}): J {
  const c: J = {};
  if (opts.env && opts.env.length > 0) c.env = opts.env;
  if (opts.envFrom && opts.envFrom.length > 0) c.envFrom = opts.envFrom;
  c.image = image;
  c.imagePullPolicy = 'IfNotPresent';
  c.name = name;
  if (opts.ports !== false) c.ports = [{ containerPort: rng.pick([8080, 8443, 9090, 3000, 5000]), name: 'http', protocol: 'TCP' }];
  const cpu = rng.pick(['50m', '100m', '250m', '500m', '1']);
  const mem = rng.pick(['64Mi', '128Mi', '256Mi', '512Mi', '1Gi']);
  c.resources = rng.chance(0.5) ? { limits: { cpu, memory: mem }, requests: { cpu, memory: mem } } : { requests: { cpu, memory: mem } };
  if (opts.securityContext) c.securityContext = opts.securityContext;
  c.terminationMessagePath = '/dev/termination-log';
  c.terminationMessagePolicy = 'File';
  c.volumeMounts = opts.mounts ?? [];
  return c;
}

function containerStatus(rng: Rand, c: J, started: string): J {
  return {
    containerID: `containerd://${rng.chars(64, HEX)}`,
    image: c.image,
    imageID: `${String(c.image).split(':')[0]}@sha256:${rng.chars(64, HEX)}`,
    lastState: {},
    name: c.name,
    ready: true,
    restartCount: rng.chance(0.1) ? rng.between(1, 5) : 0,
    started: true,
    state: { running: { startedAt: started } },
  };
}

// ---------------------------------------------------------------------------------------------
// The generator

export interface GenerateOptions {
  /** A preset name, or explicit sizes. */
  preset: PresetName | ClusterSize;
  seed: number;
  /** Where to write; default: a new folder under the OS temp folder. */
  file?: string;
}

/** A new temp folder for dumps (never inside the repository). */
export function benchTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rbacgraph-bench-'));
}

interface WorkloadRef {
  kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';
  name: string;
  ns: string;
  t: Template;
  /** Pods it owns (ReplicaSets, StatefulSets, Jobs, DaemonSets), filled in before anything is written. */
  pods: number;
  /** The Deployment of a ReplicaSet, the CronJob of a Job. */
  parent: WorkloadRef | null;
  uid: string;
  hash: string;
  labels: J;
  podNames?: string[];
}

export function generateCluster(opts: GenerateOptions): GenerateResult {
  const size = typeof opts.preset === 'string' ? PRESETS[opts.preset] : opts.preset;
  const presetName = typeof opts.preset === 'string' ? opts.preset : 'custom';
  checkSize(size);
  const file = opts.file ?? join(benchTempDir(), `cluster-${presetName}-${opts.seed}.json`);
  const fd = openSync(file, 'w');
  const w = new DumpWriter(fd);
  let sha256: string;
  try {
    const c: Ctx = { rng: new Rand(opts.seed), w, rv: 1000 };
    writeCluster(c, size);
    sha256 = w.close();
  } finally {
    closeSync(fd);
  }
  const k = w.kinds;
  const n = (...kinds: string[]): number => kinds.reduce((s, x) => s + (k[x] ?? 0), 0);
  return {
    file,
    preset: presetName,
    seed: opts.seed,
    bytes: w.bytes,
    sha256,
    kinds: { ...k },
    counts: {
      namespaces: n('Namespace'),
      nodes: n('Node'),
      serviceAccounts: n('ServiceAccount'),
      pods: n('Pod'),
      workloads: n('Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'),
      secrets: n('Secret'),
      roles: n('Role', 'ClusterRole'),
      bindings: n('RoleBinding', 'ClusterRoleBinding'),
    },
  };
}

function checkSize(s: ClusterSize): void {
  const need: Partial<Record<keyof ClusterSize, number>> = {
    namespaces: FIXED_NAMESPACES.length + 1, nodes: 2, serviceAccounts: s.namespaces + FIXED_SAS.length + 1,
    pods: 40, workloads: 24, secrets: 20, roles: 60, bindings: 80, users: 3, groups: 3,
  };
  for (const [k, v] of Object.entries(need) as [keyof ClusterSize, number][]) {
    if (s[k] < v) throw new Error(`cluster size: ${k} must be at least ${v} for these proportions (got ${s[k]})`);
  }
}

function writeCluster(c: Ctx, size: ClusterSize): void {
  const { rng, w } = c;

  // Namespaces -------------------------------------------------------------------------------
  const namespaces = [...FIXED_NAMESPACES];
  for (let i = 0; namespaces.length < size.namespaces; i++) {
    const product = PRODUCTS[i % PRODUCTS.length];
    const env = ENVS[Math.floor(i / PRODUCTS.length) % ENVS.length];
    const round = Math.floor(i / (PRODUCTS.length * ENVS.length));
    namespaces.push(round === 0 ? `${product}-${env}` : `${product}-${env}-${round + 1}`);
  }
  const appNamespaces = namespaces.slice(FIXED_NAMESPACES.length);
  const psaLevel = new Map<string, string>();
  for (const ns of namespaces) {
    const labels: J = { 'kubernetes.io/metadata.name': ns };
    if (!FIXED_NAMESPACES.includes(ns)) {
      const level = rng.weighted<string | null>([[55, null], [25, 'baseline'], [15, 'restricted'], [5, 'privileged']]);
      if (level) {
        labels[`${PSA}enforce`] = level;
        labels[`${PSA}enforce-version`] = 'latest';
        psaLevel.set(ns, level);
      }
      if (rng.chance(0.3)) labels[`${PSA}warn`] = 'restricted';
      labels.team = ns.split('-')[0];
      labels.environment = ns.split('-')[1];
    } else if (ns === 'ci') {
      labels[`${PSA}enforce`] = 'baseline';
      psaLevel.set(ns, 'baseline');
    }
    w.item({ apiVersion: 'v1', kind: 'Namespace', metadata: metaSorted(c, ns, null, { labels: sortKeys(labels) }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  const skewedNs = (): string => appNamespaces[rng.skewed(appNamespaces.length)];

  // Nodes ------------------------------------------------------------------------------------
  const cpCount = size.nodes >= 20 ? 3 : 1;
  const nodes: string[] = [];
  const workers: string[] = [];
  for (let i = 0; i < size.nodes; i++) {
    const cp = i < cpCount;
    const zone = `eu-west-1${'abc'[i % 3]}`;
    const addr = `10.${(i >> 8) & 255}.${i & 255}.${rng.between(2, 250)}`;
    const name = cp ? `cp-${i + 1}` : `ip-${addr.replace(/\./g, '-')}.eu-west-1.compute.internal`;
    nodes.push(name);
    if (!cp) workers.push(name);
    const pool = cp ? 'control-plane' : rng.pick(['general', 'general', 'general', 'memory', 'spot', 'gpu']);
    const itype = cp ? 'm6i.xlarge' : rng.pick(['m6i.2xlarge', 'm6i.4xlarge', 'r6i.2xlarge', 'c6i.4xlarge']);
    const labels: J = {
      'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': itype,
      nodepool: pool, 'topology.kubernetes.io/region': 'eu-west-1', 'topology.kubernetes.io/zone': zone,
    };
    if (cp) labels['node-role.kubernetes.io/control-plane'] = '';
    const spec: J = { podCIDR: `100.64.${i & 255}.0/24`, providerID: `aws:///${zone}/i-${rng.chars(17, HEX)}` };
    if (cp) spec.taints = [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }];
    else if (pool === 'gpu') spec.taints = [{ effect: 'NoSchedule', key: 'nvidia.com/gpu', value: 'present' }];
    if (!cp && rng.chance(0.01)) spec.unschedulable = true;
    const cap = { cpu: '8', 'ephemeral-storage': '104845292Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '32386544Ki', pods: '110' };
    const t = rng.time();
    const cond = (type: string, status: string, reason: string, message: string): J => ({ lastHeartbeatTime: t, lastTransitionTime: t, message, reason, status, type });
    w.item({
      apiVersion: 'v1', kind: 'Node', metadata: metaSorted(c, name, null, { annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' }, labels: sortKeys(labels) }),
      spec,
      status: {
        addresses: [{ address: addr, type: 'InternalIP' }, { address: name, type: 'Hostname' }],
        allocatable: { ...cap, cpu: '7910m', memory: '31371760Ki' },
        capacity: cap,
        conditions: [
          cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64', bootID: rng.uid(), containerRuntimeVersion: 'containerd://1.7.22', kernelVersion: '6.1.109-118.189.amzn2023.x86_64',
          kubeProxyVersion: 'v1.30.4', kubeletVersion: 'v1.30.4', machineID: rng.chars(32, HEX), operatingSystem: 'linux',
          osImage: 'Amazon Linux 2023.5.20240916', systemUUID: rng.uid(),
        },
      },
    });
  }

  // Service accounts -------------------------------------------------------------------------
  const sasByNs = new Map<string, string[]>(namespaces.map((ns) => [ns, ['default']]));
  for (const [ns, name] of FIXED_SAS) sasByNs.get(ns)!.push(name);
  let saTotal = namespaces.length + FIXED_SAS.length;
  while (saTotal < size.serviceAccounts) {
    const ns = skewedNs();
    const list = sasByNs.get(ns)!;
    const base = rng.pick(COMPONENTS);
    const name = list.includes(base) ? `${base}-${list.length}` : base;
    if (list.includes(name)) continue;
    list.push(name);
    saTotal++;
  }
  const saNoAutomount = new Set<string>();
  const legacyTokenFor: string[] = []; // `ns/name` of service accounts that get a legacy token secret
  for (const ns of namespaces) {
    for (const name of sasByNs.get(ns)!) {
      const extra: J = {};
      if (rng.chance(0.03) && name !== 'default') extra.annotations = { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${ns}-${name}` };
      if (name !== 'default' && rng.chance(0.4)) extra.labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': ns.split('-')[0] };
      const o: J = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metaSorted(c, name, ns, extra) };
      const legacy = (ns === 'kube-system' && name === 'legacy-admin') || (name !== 'default' && rng.chance(0.08));
      if (legacy) legacyTokenFor.push(`${ns}/${name}`);
      if (rng.chance(0.05)) {
        o.automountServiceAccountToken = false;
        saNoAutomount.add(`${ns}/${name}`);
      }
      w.item(o);
    }
  }

  // Secrets ----------------------------------------------------------------------------------
  const appSecrets = new Map<string, string[]>(namespaces.map((ns) => [ns, []]));
  const secretNames = new Set<string>();
  let secretTotal = 0;
  const writeSecret = (ns: string, name: string, type: string, data: J, extra: J = {}): void => {
    const id = `${ns}/${name}`;
    if (secretNames.has(id)) return;
    secretNames.add(id);
    secretTotal++;
    w.item({ apiVersion: 'v1', data, kind: 'Secret', metadata: metaSorted(c, name, ns, extra), type });
  };
  const tokenBudget = Math.min(legacyTokenFor.length, Math.floor(size.secrets * 0.1));
  for (const ref of legacyTokenFor.slice(0, tokenBudget)) {
    const [ns, sa] = ref.split('/');
    const invalid = rng.chance(0.2);
    const extra: J = { annotations: { 'kubernetes.io/service-account.name': sa, 'kubernetes.io/service-account.uid': rng.uid() } };
    if (invalid && ref !== 'kube-system/legacy-admin') extra.labels = { 'kubernetes.io/legacy-token-invalid-since': '2024-06-01' };
    writeSecret(ns, `${sa}-token-${rng.chars(5)}`, 'kubernetes.io/service-account-token', { 'ca.crt': rng.base64(48), namespace: Buffer.from(ns).toString('base64'), token: rng.base64(96) }, extra);
  }
  const fixedSecrets: ReadonlyArray<[string, string, string]> = [
    ['argocd', 'argocd-secret', 'Opaque'], ['argocd', 'repo-github-creds', 'Opaque'], ['ingress-nginx', 'ingress-nginx-admission', 'kubernetes.io/tls'],
    ['cert-manager', 'cert-manager-webhook-ca', 'kubernetes.io/tls'], ['monitoring', 'alertmanager-config', 'Opaque'], ['ci', 'registry-push', 'kubernetes.io/dockerconfigjson'],
    ['kube-system', 'etcd-backup-s3', 'Opaque'],
  ];
  for (const [ns, name, type] of fixedSecrets) {
    writeSecret(ns, name, type, { value: rng.base64(32) });
    appSecrets.get(ns)!.push(name);
  }
  while (secretTotal < size.secrets) {
    const ns = rng.chance(0.9) ? skewedNs() : rng.pick(namespaces);
    const kind = rng.weighted<'opaque' | 'tls' | 'docker' | 'helm'>([[60, 'opaque'], [15, 'tls'], [10, 'docker'], [15, 'helm']]);
    const comp = rng.pick(COMPONENTS);
    switch (kind) {
      case 'opaque': {
        const name = `${comp}-${rng.pick(SECRET_KINDS)}${rng.chance(0.5) ? '' : `-${rng.chars(4)}`}`;
        const extra: J = rng.chance(0.3) ? { labels: { 'app.kubernetes.io/name': comp } } : {};
        if (rng.chance(0.05)) extra.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${name}"}}` };
        writeSecret(ns, name, 'Opaque', { password: rng.base64(24), username: rng.base64(8) }, extra);
        appSecrets.get(ns)!.push(name);
        break;
      }
      case 'tls': {
        const name = `${comp}-tls${rng.chance(0.5) ? '' : `-${rng.chars(4)}`}`;
        writeSecret(ns, name, 'kubernetes.io/tls', { 'tls.crt': rng.base64(120), 'tls.key': rng.base64(90) }, { annotations: { 'cert-manager.io/certificate-name': name, 'cert-manager.io/issuer-name': 'letsencrypt' } });
        appSecrets.get(ns)!.push(name);
        break;
      }
      case 'docker': {
        const name = `regcred${rng.chance(0.5) ? '' : `-${rng.chars(4)}`}`;
        writeSecret(ns, name, 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': rng.base64(80) });
        break;
      }
      case 'helm': {
        const v = rng.between(1, 40);
        const name = `sh.helm.release.v1.${comp}.v${v}`;
        writeSecret(ns, name, 'helm.sh/release.v1', { release: rng.base64(120) }, { labels: { name: comp, owner: 'helm', status: rng.pick(['deployed', 'superseded']), version: String(v) } });
        break;
      }
    }
  }

  // Users and groups -------------------------------------------------------------------------
  const users: string[] = [];
  for (let i = 0; i < size.users; i++) {
    const f = FIRST[i % FIRST.length];
    const l = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const round = Math.floor(i / (FIRST.length * LAST.length));
    users.push(`${f}.${l}${round ? round + 1 : ''}@example.com`);
  }
  const groups: string[] = [];
  for (let i = 0; i < size.groups; i++) {
    const p = PRODUCTS[i % PRODUCTS.length];
    const role = ['devs', 'leads', 'oncall', 'readers', 'ops', 'qa', 'data', 'sec'][Math.floor(i / PRODUCTS.length) % 8];
    const round = Math.floor(i / (PRODUCTS.length * 8));
    groups.push(`oidc:${p}-${role}${round ? `-${round + 1}` : ''}`);
  }

  // ClusterRoles -----------------------------------------------------------------------------
  let roleTotal = 0;
  const clusterRoleNames: string[] = [];
  const customClusterRoles: string[] = [];
  const writeClusterRole = (name: string, rules: Rule[] | null, extra: J = {}, aggregationRule?: J): void => {
    roleTotal++;
    clusterRoleNames.push(name);
    const o: J = { apiVersion: RBAC_V1 };
    if (aggregationRule) o.aggregationRule = aggregationRule;
    o.kind = 'ClusterRole';
    o.metadata = metaSorted(c, name, null, extra);
    o.rules = rules;
    w.item(o);
  };
  const boot = (labels: J = {}): J => ({ annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' }, labels: sortKeys({ ...BOOTSTRAP, ...labels }) });
  const aggRule = (to: string): J => ({ clusterRoleSelectors: [{ matchLabels: { [`${AGG}${to}`]: 'true' } }] });
  writeClusterRole('cluster-admin', [r(['*'], ['*'], ['*']), nr(['*'], ['*'])], boot());
  writeClusterRole('admin', null, boot(), aggRule('admin'));
  writeClusterRole('edit', null, boot({ [`${AGG}admin`]: 'true' }), aggRule('edit'));
  writeClusterRole('view', null, boot({ [`${AGG}edit`]: 'true' }), aggRule('view'));
  writeClusterRole('system:aggregate-to-admin', [
    r([''], ['namespaces'], ['get', 'list', 'watch']), r([RBAC_GROUP], ['rolebindings', 'roles'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']),
    r(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  ], boot({ [`${AGG}admin`]: 'true' }));
  writeClusterRole('system:aggregate-to-edit', [
    r([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], ['get', 'list', 'watch']),
    r([''], ['serviceaccounts'], ['impersonate']),
    r([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
    r([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
    r(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
    r(['batch'], ['cronjobs', 'jobs'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
    r(['networking.k8s.io'], ['ingresses', 'networkpolicies'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
  ], boot({ [`${AGG}edit`]: 'true' }));
  writeClusterRole('system:aggregate-to-view', [
    r([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], READ),
    r([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], READ),
    r([''], ['namespaces'], READ),
    r(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], READ),
    r(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
    r(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
  ], boot({ [`${AGG}view`]: 'true' }));
  writeClusterRole('system:basic-user', [r(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), r(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])], boot());
  writeClusterRole('system:discovery', [nr(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], ['get'])], boot());
  writeClusterRole('system:public-info-viewer', [nr(['/healthz', '/livez', '/readyz', '/version', '/version/'], ['get'])], boot());
  writeClusterRole('system:monitoring', [nr(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], ['get'])], boot());
  writeClusterRole('system:node-proxier', [
    r([''], ['endpoints', 'services'], ['list', 'watch']), r([''], ['nodes'], ['get', 'list', 'watch']),
    r(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']), r(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch']),
  ], boot());
  writeClusterRole('system:kube-scheduler', [
    r(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']), r(['coordination.k8s.io'], ['leases'], ['create', 'get', 'update']),
    r([''], ['nodes'], READ), r([''], ['pods'], ['delete', 'get', 'list', 'watch']), r([''], ['bindings', 'pods/binding'], ['create']),
    r([''], ['pods/status'], ['patch', 'update']), r(['storage.k8s.io'], ['csinodes', 'storageclasses'], READ),
  ], boot());
  writeClusterRole('system:kube-controller-manager', [
    r(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']), r(['coordination.k8s.io'], ['leases'], ['create', 'get', 'update']),
    r([''], ['secrets', 'serviceaccounts'], ['create']), r([''], ['secrets'], ['delete']),
    r([''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts'], ['get']), r([''], ['secrets', 'serviceaccounts'], ['update']),
    r(['authentication.k8s.io'], ['tokenreviews'], ['create']), r(['*'], ['*'], ['list', 'watch']), r([''], ['serviceaccounts/token'], ['create']),
  ], boot());
  writeClusterRole('system:controller:replicaset-controller', [r(['apps', 'extensions'], ['replicasets'], ['get', 'list', 'update', 'watch']), r([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']), r(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update'])], boot());
  writeClusterRole('system:controller:deployment-controller', [r(['apps', 'extensions'], ['deployments'], ['get', 'list', 'update', 'watch']), r(['apps', 'extensions'], ['replicasets'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']), r([''], ['pods'], ['get', 'list', 'update', 'watch'])], boot());
  writeClusterRole('system:controller:daemon-set-controller', [r(['apps', 'extensions'], ['daemonsets'], READ), r([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']), r([''], ['pods/binding'], ['create'])], boot());
  writeClusterRole('system:controller:job-controller', [r(['batch'], ['jobs'], ['get', 'list', 'update', 'watch']), r([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch'])], boot());
  writeClusterRole('system:controller:namespace-controller', [r([''], ['namespaces'], ['delete', 'get', 'list', 'watch']), r(['*'], ['*'], ['delete', 'deletecollection', 'get', 'list'])], boot());
  writeClusterRole('system:controller:generic-garbage-collector', [r(['*'], ['*'], ['delete', 'get', 'list', 'patch', 'update', 'watch'])], boot());
  writeClusterRole('system:controller:clusterrole-aggregation-controller', [r([RBAC_GROUP], ['clusterroles'], ['escalate', 'get', 'list', 'patch', 'update', 'watch'])], boot());
  // A custom aggregated role (rules: null) and its member.
  writeClusterRole('monitoring-edit', null, { labels: { 'app.kubernetes.io/part-of': 'monitoring' } }, { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-monitoring-edit': 'true' } }] });
  writeClusterRole('monitoring-edit-servicemonitors', [r(['monitoring.coreos.com'], ['servicemonitors', 'podmonitors', 'prometheusrules'], ['*'])], { labels: { 'example.com/aggregate-to-monitoring-edit': 'true' } });
  // Deliberately dangerous grants, so that escalation paths exist.
  writeClusterRole('impersonator', [r([''], ['users', 'groups', 'serviceaccounts'], ['impersonate'])]);
  writeClusterRole('prometheus', [r([''], ['nodes', 'nodes/metrics', 'nodes/proxy', 'services', 'endpoints', 'pods'], READ), nr(['/metrics'], ['get'])]);
  writeClusterRole('token-minter', [r([''], ['serviceaccounts/token'], ['create'])]);
  writeClusterRole('rbac-manager', [r([RBAC_GROUP], ['clusterroles', 'roles'], ['bind', 'escalate', 'get', 'list']), r([RBAC_GROUP], ['clusterrolebindings', 'rolebindings'], ['create', 'update', 'patch'])]);
  writeClusterRole('cert-manager-controller', [r([''], ['secrets'], ['get', 'list', 'watch', 'create', 'update', 'delete']), r(['cert-manager.io'], ['*'], ['*'])]);
  writeClusterRole('ingress-nginx', [r([''], ['configmaps', 'endpoints', 'nodes', 'pods', 'secrets', 'namespaces'], ['list', 'watch']), r(['networking.k8s.io'], ['ingresses', 'ingressclasses'], READ)]);
  writeClusterRole('argocd-server', [r(['*'], ['*'], ['get']), r([''], ['pods/exec'], ['create']), r(['argoproj.io'], ['applications', 'appprojects'], ['*'])]);
  const clusterRoleTarget = Math.max(roleTotal + 10, Math.round(size.roles * 0.1));
  for (let i = 0; roleTotal < clusterRoleTarget; i++) {
    if (i % 12 === 0) {
      const grp = CRD_GROUPS[i % CRD_GROUPS.length];
      const to = ['view', 'edit', 'admin'][Math.floor(i / 12) % 3];
      const verbs = to === 'view' ? READ : ['*'];
      writeClusterRole(`${grp.split('.')[0]}-${to}-${i}`, [r([grp], ['*'], verbs)], { labels: { [`${AGG}${to}`]: 'true' } });
      continue;
    }
    const name = `${rng.pick(PRODUCTS)}-${rng.pick(['operator', 'controller', 'agent', 'reader', 'manager'])}-${i}`;
    const n = rng.between(1, 6);
    const rules: Rule[] = [];
    for (let k = 0; k < n; k++) rules.push(rng.weighted(CLUSTER_RULES)(rng));
    writeClusterRole(name, rules, rng.chance(0.5) ? { labels: { 'app.kubernetes.io/managed-by': 'Helm' } } : {});
    customClusterRoles.push(name);
  }

  // Roles ------------------------------------------------------------------------------------
  const rolesByNs = new Map<string, string[]>();
  const writeRole = (ns: string, name: string, rules: Rule[]): void => {
    let list = rolesByNs.get(ns);
    if (!list) rolesByNs.set(ns, (list = []));
    list.push(name);
    roleTotal++;
    w.item({ apiVersion: RBAC_V1, kind: 'Role', metadata: metaSorted(c, name, ns), rules });
  };
  writeRole('kube-system', 'secret-reader', [r([''], ['secrets'], ['get', 'list'])]);
  writeRole('kube-system', 'pod-debugger', [r([''], ['pods', 'pods/log'], READ), r([''], ['pods/exec'], ['create'])]);
  writeRole('ingress-nginx', 'ingress-nginx', [r([''], ['configmaps', 'pods', 'secrets', 'endpoints'], ['get']), r(['coordination.k8s.io'], ['leases'], ['create', 'get', 'update'])]);
  writeRole('argocd', 'argocd-server', [r([''], ['secrets', 'configmaps'], ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'])]);
  const roleNameCount = new Map<string, number>();
  while (roleTotal < size.roles) {
    const ns = rng.chance(0.95) ? skewedNs() : rng.pick(FIXED_NAMESPACES);
    const base = `${rng.pick(COMPONENTS)}-${rng.pick(['reader', 'writer', 'deployer', 'operator', 'leader-election', 'config', 'debug'])}`;
    const key = `${ns}/${base}`;
    const k = (roleNameCount.get(key) ?? 0) + 1;
    roleNameCount.set(key, k);
    const n = rng.weighted([[3, 1], [4, 2], [3, 3], [2, 4], [1, 6]] as const);
    const rules: Rule[] = [];
    for (let i = 0; i < n; i++) rules.push(rng.weighted(NS_RULES)(rng));
    writeRole(ns, k === 1 ? base : `${base}-${k}`, rules);
  }

  // Bindings ---------------------------------------------------------------------------------
  let bindingTotal = 0;
  const crbNames = new Set<string>();
  const subjectJson = (kind: 'User' | 'Group' | 'ServiceAccount', name: string, ns?: string | null): J =>
    kind === 'ServiceAccount' ? (ns ? { kind, name, namespace: ns } : { kind, name }) : { apiGroup: RBAC_GROUP, kind, name };
  const writeCrb = (name: string, role: string, subjects: J[], extra: J = {}): void => {
    if (crbNames.has(name)) return;
    crbNames.add(name);
    bindingTotal++;
    w.item({ apiVersion: RBAC_V1, kind: 'ClusterRoleBinding', metadata: metaSorted(c, name, null, extra), roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role }, subjects });
  };
  writeCrb('cluster-admin', 'cluster-admin', [subjectJson('Group', 'system:masters')], boot());
  writeCrb('system:basic-user', 'system:basic-user', [subjectJson('Group', 'system:authenticated')], boot());
  writeCrb('system:discovery', 'system:discovery', [subjectJson('Group', 'system:authenticated')], boot());
  writeCrb('system:public-info-viewer', 'system:public-info-viewer', [subjectJson('Group', 'system:authenticated'), subjectJson('Group', 'system:unauthenticated')], boot());
  writeCrb('system:monitoring', 'system:monitoring', [subjectJson('Group', 'system:monitoring')], boot());
  writeCrb('system:node-proxier', 'system:node-proxier', [subjectJson('User', 'system:kube-proxy')], boot());
  writeCrb('system:kube-scheduler', 'system:kube-scheduler', [subjectJson('User', 'system:kube-scheduler')], boot());
  writeCrb('system:kube-controller-manager', 'system:kube-controller-manager', [subjectJson('User', 'system:kube-controller-manager')], boot());
  for (const ctl of CONTROLLERS) writeCrb(`system:controller:${ctl}`, `system:controller:${ctl}`, [subjectJson('ServiceAccount', ctl, 'kube-system')], boot());
  writeCrb('platform-admins', 'cluster-admin', [subjectJson('Group', 'platform-admins')]);
  writeCrb('break-glass', 'cluster-admin', [subjectJson('User', 'admin@example.com')]);
  writeCrb('argocd-application-controller', 'cluster-admin', [subjectJson('ServiceAccount', 'argocd-application-controller', 'argocd')]);
  writeCrb('legacy-admin', 'cluster-admin', [subjectJson('ServiceAccount', 'legacy-admin', 'kube-system')]);
  writeCrb('support-impersonation', 'impersonator', [subjectJson('User', 'support-bot@example.com')]);
  writeCrb('prometheus', 'prometheus', [subjectJson('ServiceAccount', 'prometheus', 'monitoring')]);
  writeCrb('ci-token-minter', 'token-minter', [subjectJson('ServiceAccount', 'runner', 'ci')]);
  writeCrb('rbac-managers', 'rbac-manager', [subjectJson('Group', 'rbac-managers')]);
  writeCrb('cert-manager-controller', 'cert-manager-controller', [subjectJson('ServiceAccount', 'cert-manager', 'cert-manager')]);
  writeCrb('ingress-nginx', 'ingress-nginx', [subjectJson('ServiceAccount', 'ingress-nginx', 'ingress-nginx')]);
  writeCrb('argocd-server', 'argocd-server', [subjectJson('ServiceAccount', 'argocd-server', 'argocd')]);
  writeCrb('view-all-engineers', 'view', [subjectJson('Group', 'engineering')]);

  const randomSa = (ns: string): [string, string] => {
    const other = rng.chance(0.1) ? rng.pick(namespaces) : ns;
    return [other, rng.pick(sasByNs.get(other)!)];
  };
  const crbTarget = Math.max(bindingTotal + 10, Math.round(size.bindings * 0.05));
  for (let i = 0; bindingTotal < crbTarget; i++) {
    const role = rng.chance(0.85) ? rng.pick(customClusterRoles) : rng.pick(['view', 'system:monitoring', 'system:basic-user', ...customClusterRoles.slice(0, 3)]);
    const subjects: J[] = [];
    const kind = rng.weighted([[70, 'sa'], [15, 'group'], [15, 'user']] as const);
    if (kind === 'sa') {
      const [ns, sa] = randomSa(skewedNs());
      subjects.push(subjectJson('ServiceAccount', sa, ns));
    } else if (kind === 'group') subjects.push(subjectJson('Group', rng.pick(groups)));
    else subjects.push(subjectJson('User', rng.pick(users)));
    writeCrb(`${role}-${i}`, role, subjects, rng.chance(0.5) ? { labels: { 'app.kubernetes.io/managed-by': 'Helm' } } : {});
  }

  const rbNames = new Set<string>();
  const writeRb = (ns: string, name: string, roleKind: 'Role' | 'ClusterRole', role: string, subjects: J[]): void => {
    const id = `${ns}/${name}`;
    if (rbNames.has(id)) return;
    rbNames.add(id);
    bindingTotal++;
    w.item({ apiVersion: RBAC_V1, kind: 'RoleBinding', metadata: metaSorted(c, name, ns), roleRef: { apiGroup: RBAC_GROUP, kind: roleKind, name: role }, subjects });
  };
  writeRb('argocd', 'platform-edit', 'ClusterRole', 'edit', [subjectJson('Group', 'team-platform')]);
  writeRb('kube-system', 'oncall-secrets', 'Role', 'secret-reader', [subjectJson('Group', 'oncall')]);
  writeRb('kube-system', 'sre-debug', 'Role', 'pod-debugger', [subjectJson('User', 'sre@example.com')]);
  writeRb('ingress-nginx', 'ingress-nginx', 'Role', 'ingress-nginx', [subjectJson('ServiceAccount', 'ingress-nginx')]);
  writeRb('argocd', 'argocd-server', 'Role', 'argocd-server', [subjectJson('ServiceAccount', 'argocd-server', 'argocd')]);
  writeRb('cert-manager', 'security-edit', 'ClusterRole', 'edit', [subjectJson('Group', 'team-security')]);
  writeRb('monitoring', 'monitoring-editors', 'ClusterRole', 'monitoring-edit', [subjectJson('Group', 'oidc:analytics-ops')]);
  for (const ns of appNamespaces.slice(0, Math.min(40, appNamespaces.length))) {
    writeRb(ns, 'ci-deployer', 'ClusterRole', 'edit', [subjectJson('ServiceAccount', 'deployer', 'ci')]);
  }
  const rbNameCount = new Map<string, number>();
  while (bindingTotal < size.bindings) {
    const ns = rng.chance(0.95) ? skewedNs() : rng.pick(FIXED_NAMESPACES);
    const nsRoles = rolesByNs.get(ns) ?? [];
    let roleKind: 'Role' | 'ClusterRole';
    let role: string;
    if (nsRoles.length > 0 && rng.chance(0.65)) {
      roleKind = 'Role';
      role = rng.pick(nsRoles);
    } else {
      roleKind = 'ClusterRole';
      role = rng.weighted<string>([[40, 'view'], [30, 'edit'], [10, 'admin'], [20, rng.pick(customClusterRoles)]]);
    }
    const subjects: J[] = [];
    const nSubjects = rng.weighted([[6, 1], [3, 2], [1, 3]] as const);
    for (let i = 0; i < nSubjects; i++) {
      const kind = rng.weighted([[40, 'sa'], [35, 'user'], [25, 'group']] as const);
      if (kind === 'sa') {
        const [sns, sa] = randomSa(ns);
        // A ServiceAccount subject without a namespace is the binding's own namespace (rbac-semantics.md).
        subjects.push(subjectJson('ServiceAccount', sa, sns === ns && rng.chance(0.15) ? null : sns));
      } else if (kind === 'user') subjects.push(subjectJson('User', rng.pick(users)));
      else subjects.push(subjectJson('Group', rng.pick(groups)));
    }
    const base = `${role.replace(/[:]/g, '-')}-binding`;
    const key = `${ns}/${base}`;
    const k = (rbNameCount.get(key) ?? 0) + 1;
    rbNameCount.set(key, k);
    writeRb(ns, k === 1 ? base : `${base}-${k}`, roleKind, role, subjects);
  }

  // Workloads --------------------------------------------------------------------------------
  writeWorkloadsAndPods(c, size, { namespaces, appNamespaces, skewedNs, sasByNs, saNoAutomount, appSecrets, nodes, workers, cpCount, psaLevel });
}

interface Layout {
  namespaces: string[];
  appNamespaces: string[];
  skewedNs: () => string;
  sasByNs: Map<string, string[]>;
  saNoAutomount: Set<string>;
  appSecrets: Map<string, string[]>;
  nodes: string[];
  workers: string[];
  cpCount: number;
  psaLevel: Map<string, string>;
}

function appTemplate(rng: Rand, ns: string, app: string, sa: string, L: Layout): Template {
  const product = ns.split('-')[0];
  const secrets = L.appSecrets.get(ns) ?? [];
  const env: J[] = [
    { name: 'LOG_LEVEL', value: rng.pick(['info', 'debug', 'warn']) },
    { name: 'PORT', value: '8080' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
  ];
  const envFrom: J[] = [];
  const volumes: J[] = [];
  const mounts: J[] = [];
  if (secrets.length > 0 && rng.chance(0.5)) {
    const s = rng.pick(secrets);
    env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { key: 'password', name: s } } });
  }
  if (secrets.length > 0 && rng.chance(0.1)) envFrom.push({ secretRef: { name: rng.pick(secrets) } });
  if (secrets.length > 0 && rng.chance(0.35)) {
    const s = rng.pick(secrets);
    volumes.push({ name: 'credentials', secret: { defaultMode: 420, secretName: s } });
    mounts.push({ mountPath: '/etc/credentials', name: 'credentials', readOnly: true });
  }
  if (secrets.length > 0 && rng.chance(0.05)) {
    volumes.push({ name: 'bundle', projected: { defaultMode: 420, sources: [{ secret: { name: rng.pick(secrets) } }, { configMap: { name: `${app}-config` } }] } });
    mounts.push({ mountPath: '/etc/bundle', name: 'bundle', readOnly: true });
  }
  if (rng.chance(0.5)) {
    volumes.push({ configMap: { defaultMode: 420, name: `${app}-config` }, name: 'config' });
    mounts.push({ mountPath: '/etc/config', name: 'config' });
  }
  // A few risky pods, as real clusters have: docker socket, host logs, privileged debug tools.
  const psa = L.psaLevel.get(ns);
  const open = psa !== 'baseline' && psa !== 'restricted';
  let sc: J | undefined = rng.chance(0.4) ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 10001 } : undefined;
  let hostPID = false;
  let hostNetwork = false;
  if (open) {
    const risk = rng.weighted<string>([[985, 'none'], [4, 'docker-sock'], [3, 'varlog'], [3, 'privileged'], [2, 'hostpid'], [2, 'sysadmin'], [1, 'hostnet']]);
    if (risk === 'docker-sock') {
      volumes.push({ hostPath: { path: '/var/run/docker.sock', type: 'Socket' }, name: 'docker-sock' });
      mounts.push({ mountPath: '/var/run/docker.sock', name: 'docker-sock' });
    } else if (risk === 'varlog') {
      volumes.push({ hostPath: { path: '/var/log', type: '' }, name: 'varlog' });
      mounts.push({ mountPath: '/var/log', name: 'varlog', readOnly: true });
    } else if (risk === 'privileged') sc = { privileged: true };
    else if (risk === 'hostpid') {
      hostPID = true;
      sc = { privileged: true };
    } else if (risk === 'sysadmin') sc = { capabilities: { add: ['SYS_ADMIN'] } };
    else if (risk === 'hostnet') hostNetwork = true;
  }
  const image = `registry.example.com/${product}/${app}:${rng.between(1, 4)}.${rng.between(0, 30)}.${rng.between(0, 12)}`;
  const containers = [container(rng, app, image, { env, envFrom, mounts, securityContext: sc })];
  if (rng.chance(0.1)) {
    containers.push(container(rng, 'istio-proxy', 'docker.io/istio/proxyv2:1.22.3', {
      env: [{ name: 'ISTIO_META_WORKLOAD_NAME', value: app }, { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.serviceAccountName' } } }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1337 },
      ports: false,
    }));
  }
  const initContainers = rng.chance(0.04) ? [container(rng, 'migrate', image, { env: env.slice(0, 2), ports: false })] : [];
  return {
    ns, app, sa, automount: rng.chance(0.1) ? false : null, hostPID, hostNetwork, containers, initContainers, volumes,
    tolerations: null, nodeSelector: rng.chance(0.1) ? { nodepool: rng.pick(['memory', 'spot']) } : null, priorityClassName: null,
  };
}

function systemTemplate(rng: Rand, ns: string, app: string, sa: string, image: string, opts: { privileged?: boolean; hostPID?: boolean; hostNetwork?: boolean; hostPaths?: [string, string, boolean][]; tolerateAll?: boolean; critical?: boolean }): Template {
  const volumes: J[] = [];
  const mounts: J[] = [];
  for (const [name, path, ro] of opts.hostPaths ?? []) {
    volumes.push({ hostPath: { path, type: '' }, name });
    mounts.push(ro ? { mountPath: path.startsWith('/host') ? path : `/host${path}`, name, readOnly: true } : { mountPath: path, name });
  }
  const sc: J | undefined = opts.privileged ? { privileged: true } : undefined;
  return {
    ns, app, sa, automount: null, hostPID: opts.hostPID ?? false, hostNetwork: opts.hostNetwork ?? false,
    containers: [container(rng, app, image, { env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }], mounts, securityContext: sc, ports: !opts.hostNetwork })],
    initContainers: [], volumes,
    tolerations: opts.tolerateAll ? [{ operator: 'Exists' }] : null,
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    priorityClassName: opts.critical ? 'system-node-critical' : null,
  };
}

function writeWorkloadsAndPods(c: Ctx, size: ClusterSize, L: Layout): void {
  const { rng, w } = c;
  const workloads: WorkloadRef[] = [];
  const names = new Set<string>();
  /** Adds a workload; a name already taken in the namespace gets a numeric suffix. */
  const add = (kind: WorkloadRef['kind'], ns: string, base: string, t: Template, parent: WorkloadRef | null = null): WorkloadRef => {
    let name = base;
    for (let k = 2; names.has(`${kind}:${ns}/${name}`); k++) name = `${base}-${k}`;
    names.add(`${kind}:${ns}/${name}`);
    const ref: WorkloadRef = { kind, name, ns, t, pods: 0, parent, uid: rng.uid(), hash: rng.chars(10), labels: { 'app.kubernetes.io/name': t.app, 'app.kubernetes.io/part-of': ns.split('-')[0] } };
    workloads.push(ref);
    return ref;
  };
  const deployment = (ns: string, name: string, t: Template): void => {
    const d = add('Deployment', ns, name, t);
    add('ReplicaSet', ns, `${d.name}-${d.hash}`, t, d);
  };

  // Fixed system workloads.
  const daemonSets = [
    add('DaemonSet', 'kube-system', 'kube-proxy', systemTemplate(rng, 'kube-system', 'kube-proxy', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.30.4', { privileged: true, hostNetwork: true, hostPaths: [['lib-modules', '/lib/modules', true], ['xtables-lock', '/run/xtables.lock', false]], tolerateAll: true, critical: true })),
    add('DaemonSet', 'kube-system', 'calico-node', systemTemplate(rng, 'kube-system', 'calico-node', 'calico-node', 'docker.io/calico/node:v3.28.1', { privileged: true, hostNetwork: true, hostPaths: [['var-run-calico', '/var/run/calico', false], ['lib-modules', '/lib/modules', true], ['cni-bin-dir', '/opt/cni/bin', false]], tolerateAll: true, critical: true })),
    add('DaemonSet', 'monitoring', 'node-exporter', systemTemplate(rng, 'monitoring', 'node-exporter', 'node-exporter', 'quay.io/prometheus/node-exporter:v1.8.2', { hostPID: true, hostNetwork: true, hostPaths: [['root', '/', true]], tolerateAll: true })),
    add('DaemonSet', 'kube-system', 'fluent-bit', systemTemplate(rng, 'kube-system', 'fluent-bit', 'fluent-bit', 'cr.fluentbit.io/fluent/fluent-bit:3.1.7', { hostPaths: [['varlog', '/var/log', true], ['containers', '/var/lib/containerd', true]], tolerateAll: true })),
  ];
  deployment('kube-system', 'coredns', systemTemplate(rng, 'kube-system', 'coredns', 'coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', { critical: true }));
  deployment('argocd', 'argocd-server', systemTemplate(rng, 'argocd', 'argocd-server', 'argocd-server', 'quay.io/argoproj/argocd:v2.12.3', {}));
  deployment('argocd', 'argocd-repo-server', systemTemplate(rng, 'argocd', 'argocd-repo-server', 'argocd-repo-server', 'quay.io/argoproj/argocd:v2.12.3', {}));
  deployment('ingress-nginx', 'ingress-nginx-controller', systemTemplate(rng, 'ingress-nginx', 'controller', 'ingress-nginx', 'registry.k8s.io/ingress-nginx/controller:v1.11.2', {}));
  deployment('cert-manager', 'cert-manager', systemTemplate(rng, 'cert-manager', 'cert-manager', 'cert-manager', 'quay.io/jetstack/cert-manager-controller:v1.15.3', {}));
  add('StatefulSet', 'argocd', 'argocd-application-controller', systemTemplate(rng, 'argocd', 'argocd-application-controller', 'argocd-application-controller', 'quay.io/argoproj/argocd:v2.12.3', {}));
  add('StatefulSet', 'monitoring', 'prometheus-k8s', systemTemplate(rng, 'monitoring', 'prometheus', 'prometheus', 'quay.io/prometheus/prometheus:v2.54.1', {}));

  // Application workloads: Deployments with their current ReplicaSet, StatefulSets, Jobs and CronJobs.
  while (workloads.length < size.workloads) {
    const ns = L.skewedNs();
    const sas = L.sasByNs.get(ns)!;
    const app = rng.pick(COMPONENTS);
    const sa = sas.includes(app) ? app : rng.chance(0.3) ? 'default' : rng.pick(sas);
    const t = appTemplate(rng, ns, app, sa, L);
    const roll = rng.float();
    const left = size.workloads - workloads.length;
    if (roll < 0.8 && left >= 2) deployment(ns, `${app}${rng.chance(0.5) ? '' : `-${rng.pick(COMPONENTS)}`}`, t);
    else if (roll < 0.9) add('StatefulSet', ns, `${app}-${rng.pick(['db', 'store', 'queue', 'cache'])}`, t);
    else if (roll < 0.95) add('Job', ns, `${app}-${rng.pick(['migrate', 'backfill', 'seed'])}-${rng.chars(5)}`, t);
    else if (left >= 2) {
      const cj = add('CronJob', ns, `${app}-${rng.pick(['nightly', 'hourly', 'cleanup', 'report'])}`, t);
      add('Job', ns, `${cj.name}-${rng.between(28000000, 28999999)}`, t, cj);
    }
  }

  // Pods: static pods on control-plane nodes, DaemonSet pods on every node, then the rest spread over the owners.
  interface PodPlan { owner: WorkloadRef | null; t: Template; node: string | null; name: string; staticNode?: string }
  const plans: PodPlan[] = [];
  const podNames = new Set<string>();
  /** A pod name not yet used in the namespace: the wanted one, else with a random suffix. */
  const unique = (ns: string, name: () => string): string => {
    let n = name();
    while (podNames.has(`${ns}/${n}`)) n = `${name()}-${rng.chars(3)}`;
    podNames.add(`${ns}/${n}`);
    return n;
  };
  const staticComponents: [string, string, [string, string, boolean][]][] = [
    ['kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.30.4', [['k8s-certs', '/etc/kubernetes/pki', true]]],
    ['kube-controller-manager', 'registry.k8s.io/kube-controller-manager:v1.30.4', [['k8s-certs', '/etc/kubernetes/pki', true], ['kubeconfig', '/etc/kubernetes/controller-manager.conf', true]]],
    ['kube-scheduler', 'registry.k8s.io/kube-scheduler:v1.30.4', [['kubeconfig', '/etc/kubernetes/scheduler.conf', true]]],
    ['etcd', 'registry.k8s.io/etcd:3.5.15-0', [['etcd-data', '/var/lib/etcd', false], ['etcd-certs', '/etc/kubernetes/pki/etcd', false]]],
  ];
  for (let i = 0; i < L.cpCount; i++) {
    for (const [comp, image, paths] of staticComponents) {
      const t = systemTemplate(rng, 'kube-system', comp, 'default', image, { hostNetwork: true, hostPaths: paths, critical: true });
      t.automount = false;
      plans.push({ owner: null, t, node: L.nodes[i], name: unique('kube-system', () => `${comp}-${L.nodes[i]}`), staticNode: L.nodes[i] });
    }
  }
  const dsBudget = Math.floor(size.pods * 0.3);
  for (const node of L.nodes) {
    for (const ds of daemonSets) {
      if (plans.length >= dsBudget) break;
      ds.pods++;
      plans.push({ owner: ds, t: ds.t, node, name: unique(ds.ns, () => `${ds.name}-${rng.chars(5)}`) });
    }
  }
  const podOwners = workloads.filter((x) => x.kind === 'ReplicaSet' || x.kind === 'StatefulSet' || x.kind === 'Job');
  // Weights: most ReplicaSets run a few replicas, some many; a Job keeps one finished pod.
  const weights = podOwners.map((o) => (o.kind === 'Job' ? 0.5 : rng.weighted([[5, 1], [5, 2], [4, 3], [2, 6], [1, 20]] as const)));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  let left = size.pods - plans.length;
  const bare = Math.max(1, Math.floor(left * 0.01));
  left -= bare;
  const share = podOwners.map((_, i) => Math.floor((weights[i] / totalWeight) * left));
  let extra = left - share.reduce((a, b) => a + b, 0);
  for (let i = 0; extra > 0; i = (i + 1) % podOwners.length, extra--) share[i]++;
  podOwners.forEach((o, i) => {
    o.pods = share[i];
    o.podNames = [];
    for (let k = 0; k < share[i]; k++) {
      const name = o.kind === 'StatefulSet' ? unique(o.ns, () => `${o.name}-${k}`) : unique(o.ns, () => `${o.name}-${rng.chars(5)}`);
      o.podNames.push(name);
      plans.push({ owner: o, t: o.t, node: rng.pick(L.workers), name });
    }
  });
  for (let k = 0; k < bare; k++) {
    const ns = L.skewedNs();
    const t = appTemplate(rng, ns, rng.pick(['debug', 'toolbox', 'netshoot', 'psql-client']), 'default', L);
    plans.push({ owner: null, t, node: rng.chance(0.9) ? rng.pick(L.workers) : null, name: unique(ns, () => `${t.app}-${rng.chars(5)}`) });
  }
  // Parents' replica counts follow their children's.
  for (const o of workloads) if (o.parent && o.kind === 'ReplicaSet') o.parent.pods = o.pods;

  // Write workloads.
  for (const o of workloads) writeWorkload(c, o);

  // Write pods.
  for (const p of plans) {
    const t = p.t;
    const ns = t.ns;
    const labels: J = { ...(p.owner ? p.owner.labels : { run: t.app }) };
    const extraMeta: J = {};
    let ownerReferences: J[] | undefined;
    if (p.owner) {
      const o = p.owner;
      if (o.kind === 'ReplicaSet') labels['pod-template-hash'] = o.hash;
      if (o.kind === 'StatefulSet') labels['statefulset.kubernetes.io/pod-name'] = p.name;
      if (o.kind === 'DaemonSet') labels['controller-revision-hash'] = o.hash;
      extraMeta.generateName = `${o.name}-`;
      ownerReferences = [{ apiVersion: o.kind === 'Job' ? 'batch/v1' : 'apps/v1', blockOwnerDeletion: true, controller: true, kind: o.kind, name: o.name, uid: o.uid }];
    } else if (p.staticNode) {
      labels.component = t.app;
      labels.tier = 'control-plane';
      extraMeta.annotations = { 'kubernetes.io/config.hash': rng.chars(32, HEX), 'kubernetes.io/config.mirror': rng.chars(32, HEX), 'kubernetes.io/config.source': 'file' };
      ownerReferences = [{ apiVersion: 'v1', controller: true, kind: 'Node', name: p.staticNode, uid: rng.uid() }];
    }
    extraMeta.labels = sortKeys(labels);
    if (ownerReferences) extraMeta.ownerReferences = ownerReferences;
    const m = metaSorted(c, p.name, ns, extraMeta);
    const saKey = `${ns}/${t.sa}`;
    const mounted = p.staticNode === undefined && t.automount !== false && !L.saNoAutomount.has(saKey);
    const tokenVolume = mounted ? `kube-api-access-${rng.chars(5)}` : null;
    const spec = podSpec(t, tokenVolume, p.node);
    const started = m.creationTimestamp as string;
    const job = p.owner?.kind === 'Job';
    const running = p.node !== null;
    const hostIp = ip(rng, '10.0');
    const status: J = running
      ? {
          conditions: [
            { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'Initialized' },
            { lastProbeTime: null, lastTransitionTime: started, status: job ? 'False' : 'True', type: 'Ready' },
            { lastProbeTime: null, lastTransitionTime: started, status: job ? 'False' : 'True', type: 'ContainersReady' },
            { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'PodScheduled' },
          ],
          containerStatuses: t.containers.map((x) => containerStatus(rng, x, started)),
          hostIP: hostIp,
          hostIPs: [{ ip: hostIp }],
          phase: job ? 'Succeeded' : 'Running',
          podIP: t.hostNetwork ? ip(rng, '10.0') : ip(rng, '100.64'),
          qosClass: 'Burstable',
          startTime: started,
        }
      : { conditions: [{ lastProbeTime: null, lastTransitionTime: started, message: '0/3 nodes are available: 3 Insufficient cpu.', reason: 'Unschedulable', status: 'False', type: 'PodScheduled' }], phase: 'Pending', qosClass: 'Burstable' };
    w.item({ apiVersion: 'v1', kind: 'Pod', metadata: m, spec, status });
  }
}

function writeWorkload(c: Ctx, o: WorkloadRef): void {
  const { rng, w } = c;
  const extra: J = { labels: sortKeys(o.labels) };
  if (o.parent) {
    extra.ownerReferences = [{ apiVersion: o.parent.kind === 'CronJob' ? 'batch/v1' : 'apps/v1', blockOwnerDeletion: true, controller: true, kind: o.parent.kind, name: o.parent.name, uid: o.parent.uid }];
  }
  if (o.kind === 'Deployment' || o.kind === 'ReplicaSet') extra.annotations = { 'deployment.kubernetes.io/revision': String(rng.between(1, 30)) };
  const m = metaSorted(c, o.name, o.ns, { ...extra, generation: rng.between(1, 30) });
  m.uid = o.uid;
  const selector = { matchLabels: { 'app.kubernetes.io/name': o.t.app } };
  const podLabels: J = o.kind === 'ReplicaSet' ? { ...o.labels, 'pod-template-hash': o.hash } : o.labels;
  const template = workloadTemplate(o.t, sortKeys(podLabels));
  const n = o.pods;
  switch (o.kind) {
    case 'Deployment':
      w.item({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: m,
        spec: { progressDeadlineSeconds: 600, replicas: n, revisionHistoryLimit: 10, selector, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' }, template },
        status: {
          availableReplicas: n, conditions: [
            { lastTransitionTime: m.creationTimestamp, lastUpdateTime: m.creationTimestamp, message: 'Deployment has minimum availability.', reason: 'MinimumReplicasAvailable', status: 'True', type: 'Available' },
            { lastTransitionTime: m.creationTimestamp, lastUpdateTime: m.creationTimestamp, message: `ReplicaSet "${o.name}" has successfully progressed.`, reason: 'NewReplicaSetAvailable', status: 'True', type: 'Progressing' },
          ], observedGeneration: m.generation, readyReplicas: n, replicas: n, updatedReplicas: n,
        },
      });
      break;
    case 'ReplicaSet':
      w.item({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: m, spec: { replicas: n, selector, template }, status: { availableReplicas: n, fullyLabeledReplicas: n, observedGeneration: m.generation, readyReplicas: n, replicas: n } });
      break;
    case 'StatefulSet':
      w.item({
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: m,
        spec: { podManagementPolicy: 'OrderedReady', replicas: n, revisionHistoryLimit: 10, selector, serviceName: o.name, template, updateStrategy: { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' } },
        status: { availableReplicas: n, currentReplicas: n, currentRevision: `${o.name}-${o.hash}`, observedGeneration: m.generation, readyReplicas: n, replicas: n, updateRevision: `${o.name}-${o.hash}`, updatedReplicas: n },
      });
      break;
    case 'DaemonSet':
      w.item({
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: m,
        spec: { revisionHistoryLimit: 10, selector, template, updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' } },
        status: { currentNumberScheduled: n, desiredNumberScheduled: n, numberAvailable: n, numberMisscheduled: 0, numberReady: n, observedGeneration: m.generation, updatedNumberScheduled: n },
      });
      break;
    case 'Job': {
      const jt = { ...template, spec: { ...(template.spec as J), restartPolicy: 'Never' } };
      w.item({
        apiVersion: 'batch/v1', kind: 'Job', metadata: m,
        spec: { backoffLimit: 6, completionMode: 'NonIndexed', completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': o.uid } }, suspend: false, template: jt },
        status: { completionTime: m.creationTimestamp, conditions: [{ lastProbeTime: m.creationTimestamp, lastTransitionTime: m.creationTimestamp, status: 'True', type: 'Complete' }], startTime: m.creationTimestamp, succeeded: 1 },
      });
      break;
    }
    case 'CronJob': {
      const jt = { ...template, spec: { ...(template.spec as J), restartPolicy: 'OnFailure' } };
      w.item({
        apiVersion: 'batch/v1', kind: 'CronJob', metadata: m,
        spec: { concurrencyPolicy: 'Forbid', failedJobsHistoryLimit: 1, jobTemplate: { metadata: {}, spec: { backoffLimit: 3, template: jt } }, schedule: `${rng.int(60)} ${rng.int(24)} * * *`, successfulJobsHistoryLimit: 3, suspend: false },
        status: { lastScheduleTime: m.creationTimestamp, lastSuccessfulTime: m.creationTimestamp },
      });
      break;
    }
  }
}
