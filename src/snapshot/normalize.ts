// Turns one raw Kubernetes object into its snapshot form, or explains why it cannot (pure).

import { ErrorCode } from '../errors.js';
import { objectId } from '../ids.js';
import type {
  AwsAuth, AwsAuthMapping, Binding, Container, LabelSelector, Namespace, NetworkPolicy, Node, PersistentVolume,
  PersistentVolumeClaim, Pod, PodSpec, PolicyRule, Role, Secret, ServiceAccount, Subject, Volume, VolumeMount,
  WebhookConfiguration, Workload, WorkloadKind,
} from './types.js';
import { WORKLOAD_KINDS } from './types.js';

export type Normalized =
  | { collection: 'namespaces'; object: Namespace }
  | { collection: 'nodes'; object: Node }
  | { collection: 'serviceAccounts'; object: ServiceAccount }
  | { collection: 'pods'; object: Pod }
  | { collection: 'workloads'; object: Workload }
  | { collection: 'secrets'; object: Secret }
  | { collection: 'roles'; object: Role }
  | { collection: 'bindings'; object: Binding }
  | { collection: 'persistentVolumes'; object: PersistentVolume }
  | { collection: 'persistentVolumeClaims'; object: PersistentVolumeClaim }
  | { collection: 'webhookConfigurations'; object: WebhookConfiguration }
  | { collection: 'networkPolicies'; object: NetworkPolicy }
  | { collection: 'awsAuth'; object: AwsAuth };

/** A problem found in an object; `path` locates the offending field (for a line number). */
export interface ObjectProblem {
  code: ErrorCode;
  message: string;
  path: (string | number)[];
}

export interface NormalizeResult {
  /** null: not a kind analysis uses (ignored silently), or invalid (see problems). */
  normalized: Normalized | null;
  problems: ObjectProblem[];
}

export interface NormalizeOptions {
  /** Where namespaced objects without `metadata.namespace` go (as `kubectl apply -n NS` would). */
  defaultNamespace: string;
}

/** Annotations that analysis reads from a ServiceAccount (cloud workload identity). */
export const SA_ANNOTATIONS = [
  'eks.amazonaws.com/role-arn',
  'iam.gke.io/gcp-service-account',
  'azure.workload.identity/client-id',
];
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';

const NAMESPACED_KINDS = new Set<string>([
  'Role', 'RoleBinding', 'ServiceAccount', 'Pod', 'Secret', 'PersistentVolumeClaim', 'NetworkPolicy', 'ConfigMap',
  ...WORKLOAD_KINDS,
]);

/** The API group each kind we read must come from (a CRD may reuse a kind name in another group). */
const KIND_GROUPS: Record<string, string[]> = {
  Role: ['rbac.authorization.k8s.io'], ClusterRole: ['rbac.authorization.k8s.io'],
  RoleBinding: ['rbac.authorization.k8s.io'], ClusterRoleBinding: ['rbac.authorization.k8s.io'],
  Namespace: [''], Node: [''], ServiceAccount: [''], Pod: [''], Secret: [''], ConfigMap: [''],
  PersistentVolume: [''], PersistentVolumeClaim: [''], ReplicationController: [''],
  Deployment: ['apps', 'extensions'], DaemonSet: ['apps', 'extensions'], StatefulSet: ['apps'],
  ReplicaSet: ['apps', 'extensions'], Job: ['batch'], CronJob: ['batch'],
  NetworkPolicy: ['networking.k8s.io', 'extensions'],
  MutatingWebhookConfiguration: ['admissionregistration.k8s.io'],
  ValidatingWebhookConfiguration: ['admissionregistration.k8s.io'],
};

export function isNamespacedKind(kind: string): boolean {
  return NAMESPACED_KINDS.has(kind);
}

export function apiGroupOf(apiVersion: unknown): string | null {
  if (typeof apiVersion !== 'string') return null;
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

type Obj = Record<string, unknown>;
type Path = (string | number)[];
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Read-only stand-in for an absent object field (never returned). */
const NONE: Obj = Object.freeze({});
/** The problems of the (usual) object that has none: one shared, frozen list. */
const NO_PROBLEMS: ObjectProblem[] = Object.freeze([]) as unknown as ObjectProblem[];

/**
 * Problems of one object. Most objects have none, so nothing is built until one is added: not the
 * list, not the `Kind ns/name` prefix, not the field paths (callers pass a base and build the full
 * path only on a problem).
 */
class Problems {
  list: ObjectProblem[] = NO_PROBLEMS;
  constructor(
    private readonly kind: string,
    private readonly ns: string | null,
    private readonly name: string,
  ) {}
  add(path: Path, reason: string, code: ErrorCode = ErrorCode.INPUT_INVALID_OBJECT): void {
    if (this.list === NO_PROBLEMS) this.list = [];
    const what = this.ns ? `${this.kind} ${this.ns}/${this.name}` : `${this.kind} ${this.name}`;
    this.list.push({ code, path, message: `${what}: ${formatPath(path)} ${reason}` });
  }
  /** Any problem that makes the object invalid (not just a warning). */
  fatal(): boolean {
    for (const p of this.list) if (p.code === ErrorCode.INPUT_INVALID_OBJECT) return true;
    return false;
  }
}

function formatPath(path: (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/** A list of strings at `[...base, key]`; null/undefined is an empty list; anything else is a problem. */
function strings(v: unknown, base: Path, key: string | number, pr: Problems): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    pr.add([...base, key], 'is not a list');
    return [];
  }
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x === 'string') out.push(x);
    else if (x !== undefined || i in v) pr.add([...base, key, i], 'is not a string'); // a hole is skipped, as forEach does
  }
  return out;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const k of Object.keys(v).sort()) {
    const x = v[k];
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

const bool = (v: unknown): boolean => v === true;
const optBool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

function labelSelector(v: unknown): LabelSelector {
  const sel: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  if (!isObj(v)) return sel;
  sel.matchLabels = stringMap(v.matchLabels);
  if (Array.isArray(v.matchExpressions)) {
    for (const e of v.matchExpressions) {
      if (!isObj(e) || typeof e.key !== 'string' || typeof e.operator !== 'string') continue;
      sel.matchExpressions.push({
        key: e.key,
        operator: e.operator,
        values: Array.isArray(e.values) ? e.values.filter((x): x is string => typeof x === 'string') : [],
      });
    }
  }
  return sel;
}

function ownerOf(meta: Obj, ns: string | null): string | null {
  const refs = meta.ownerReferences;
  if (!Array.isArray(refs)) return null;
  let ctl: unknown = refs[0];
  for (const r of refs) {
    if (isObj(r) && r.controller === true) {
      ctl = r;
      break;
    }
  }
  if (!isObj(ctl) || typeof ctl.kind !== 'string' || typeof ctl.name !== 'string') return null;
  return objectId(ctl.kind, ctl.name, isNamespacedKind(ctl.kind) ? ns : null);
}

function rules(v: unknown, basePath: Path, pr: Problems, namespaced: boolean): PolicyRule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    pr.add(basePath, 'is not a list');
    return [];
  }
  const out: PolicyRule[] = [];
  v.forEach((r, i) => {
    const p = [...basePath, i];
    if (!isObj(r)) {
      pr.add(p, 'is not an object');
      return;
    }
    const rule: PolicyRule = {
      verbs: strings(r.verbs, p, 'verbs', pr),
      apiGroups: strings(r.apiGroups, p, 'apiGroups', pr),
      resources: strings(r.resources, p, 'resources', pr),
      resourceNames: strings(r.resourceNames, p, 'resourceNames', pr),
      nonResourceURLs: strings(r.nonResourceURLs, p, 'nonResourceURLs', pr),
    };
    const hasResource = rule.resources.length > 0 || rule.apiGroups.length > 0 || rule.resourceNames.length > 0;
    if (rule.nonResourceURLs.length > 0 && hasResource) {
      // The API server rejects such rules; evaluate each half on its own (rbac-semantics.md).
      pr.add(p, 'mixes resources and nonResourceURLs; each half is evaluated on its own', ErrorCode.MIXED_RULE);
      out.push({ ...rule, nonResourceURLs: [] });
      out.push({ verbs: rule.verbs, apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: rule.nonResourceURLs });
      return;
    }
    if (rule.nonResourceURLs.length > 0 && namespaced) {
      pr.add(p, 'has nonResourceURLs in a namespaced Role (unused: non-resource requests have no namespace)', ErrorCode.MIXED_RULE);
    }
    out.push(rule);
  });
  return out;
}

function subjects(v: unknown, pr: Problems): Subject[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    pr.add(['subjects'], 'is not a list');
    return [];
  }
  const out: Subject[] = [];
  v.forEach((s, i) => {
    if (!isObj(s) || typeof s.kind !== 'string' || typeof s.name !== 'string') {
      pr.add(['subjects', i], 'needs string kind and name');
      return;
    }
    out.push({ kind: s.kind, name: s.name, namespace: typeof s.namespace === 'string' && s.namespace ? s.namespace : null });
  });
  return out;
}

function secretNamesFromVolume(v: Obj): string[] {
  const out: string[] = [];
  if (isObj(v.secret) && typeof v.secret.secretName === 'string') out.push(v.secret.secretName);
  if (isObj(v.projected) && Array.isArray(v.projected.sources)) {
    for (const s of v.projected.sources) {
      if (isObj(s) && isObj(s.secret) && typeof s.secret.name === 'string') out.push(s.secret.name);
    }
  }
  return out;
}

/** The containers at `[...base, key]`, appended to `out`. */
function containers(list: unknown, kind: Container['kind'], base: Path, key: string, pr: Problems, out: Container[]): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    pr.add([...base, key], 'is not a list');
    return;
  }
  for (let i = 0; i < list.length; i++) {
    const c: unknown = list[i];
    if (c === undefined && !(i in list)) continue; // a hole, skipped as forEach does
    if (!isObj(c)) {
      pr.add([...base, key, i], 'is not an object');
      continue;
    }
    const sc = isObj(c.securityContext) ? c.securityContext : NONE;
    const caps = isObj(sc.capabilities) ? sc.capabilities : NONE;
    const envSecrets: string[] = [];
    if (Array.isArray(c.env)) {
      for (const e of c.env) {
        if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.secretKeyRef) && typeof e.valueFrom.secretKeyRef.name === 'string') {
          if (!envSecrets.includes(e.valueFrom.secretKeyRef.name)) envSecrets.push(e.valueFrom.secretKeyRef.name);
        }
      }
    }
    if (Array.isArray(c.envFrom)) {
      for (const e of c.envFrom) {
        if (isObj(e) && isObj(e.secretRef) && typeof e.secretRef.name === 'string' && !envSecrets.includes(e.secretRef.name)) envSecrets.push(e.secretRef.name);
      }
    }
    const mounts: VolumeMount[] = [];
    if (Array.isArray(c.volumeMounts)) {
      for (const m of c.volumeMounts) {
        if (!isObj(m) || typeof m.name !== 'string') continue;
        mounts.push({ name: m.name, mountPath: typeof m.mountPath === 'string' ? m.mountPath : '', readOnly: bool(m.readOnly) });
      }
    }
    const add = caps.add === undefined || caps.add === null
      ? []
      : strings(caps.add, [...base, key, i, 'securityContext', 'capabilities'], 'add', pr).map((x) => x.toUpperCase().replace(/^CAP_/, '')).sort();
    out.push({
      name: typeof c.name === 'string' ? c.name : `#${i}`,
      kind,
      image: typeof c.image === 'string' ? c.image : '',
      privileged: bool(sc.privileged),
      allowPrivilegeEscalation: optBool(sc.allowPrivilegeEscalation),
      capabilitiesAdd: add,
      volumeMounts: mounts,
      envSecrets: envSecrets.sort(),
    });
  }
}

export function podSpec(spec: unknown, path: Path, pr: Problems): PodSpec {
  const s = isObj(spec) ? spec : NONE;
  const volumes: Volume[] = [];
  if (Array.isArray(s.volumes)) {
    for (const v of s.volumes) {
      if (!isObj(v) || typeof v.name !== 'string') continue;
      const hp = isObj(v.hostPath) && typeof v.hostPath.path === 'string'
        ? { path: v.hostPath.path, type: typeof v.hostPath.type === 'string' ? v.hostPath.type : null }
        : null;
      const pvc = isObj(v.persistentVolumeClaim) && typeof v.persistentVolumeClaim.claimName === 'string' ? v.persistentVolumeClaim.claimName : null;
      volumes.push({ name: v.name, hostPath: hp, secrets: secretNamesFromVolume(v).sort(), persistentVolumeClaim: pvc });
    }
  }
  const pullSecrets: string[] = [];
  if (Array.isArray(s.imagePullSecrets)) {
    for (const x of s.imagePullSecrets) if (isObj(x) && typeof x.name === 'string') pullSecrets.push(x.name);
    pullSecrets.sort();
  }
  const all: Container[] = [];
  containers(s.initContainers, 'initContainer', path, 'initContainers', pr, all);
  containers(s.containers, 'container', path, 'containers', pr, all);
  containers(s.ephemeralContainers, 'ephemeralContainer', path, 'ephemeralContainers', pr, all);
  // `serviceAccount` is the deprecated alias of `serviceAccountName`.
  const sa = typeof s.serviceAccountName === 'string' && s.serviceAccountName
    ? s.serviceAccountName
    : typeof s.serviceAccount === 'string' && s.serviceAccount ? s.serviceAccount : 'default';
  return {
    serviceAccountName: sa,
    automountServiceAccountToken: optBool(s.automountServiceAccountToken),
    nodeName: typeof s.nodeName === 'string' && s.nodeName ? s.nodeName : null,
    hostPID: bool(s.hostPID),
    hostNetwork: bool(s.hostNetwork),
    hostIPC: bool(s.hostIPC),
    containers: all,
    volumes,
    imagePullSecrets: pullSecrets,
    nodeSelector: stringMap(s.nodeSelector),
  };
}

function templateSpecPath(kind: WorkloadKind): string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec'];
}

function getPath(o: Obj, path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function awsAuthMappings(text: unknown, key: 'rolearn' | 'userarn', parseYaml: (s: string) => unknown): AwsAuthMapping[] {
  if (typeof text !== 'string') return [];
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: AwsAuthMapping[] = [];
  for (const m of parsed) {
    if (!isObj(m) || typeof m[key] !== 'string') continue;
    out.push({
      arn: m[key] as string,
      username: typeof m.username === 'string' ? m.username : '',
      groups: Array.isArray(m.groups) ? m.groups.filter((g): g is string => typeof g === 'string') : [],
    });
  }
  return out;
}

export interface NormalizeEnv extends NormalizeOptions {
  /** Parses the YAML inside the aws-auth ConfigMap (injected: this module does no parsing of its own). */
  parseYaml: (text: string) => unknown;
}

/**
 * Normalize one object. `raw` must already have lost Secret `data`/`stringData` (ingest drops
 * them at parse time); this function never reads them either way.
 */
export function normalizeObject(raw: unknown, env: NormalizeEnv): NormalizeResult {
  if (!isObj(raw)) return { normalized: null, problems: [{ code: ErrorCode.INPUT_INVALID_OBJECT, message: 'document is not an object', path: [] }] };
  const kind = raw.kind;
  if (typeof kind !== 'string' || !kind) {
    return { normalized: null, problems: [{ code: ErrorCode.INPUT_INVALID_OBJECT, message: 'object has no kind', path: ['kind'] }] };
  }
  const groups = KIND_GROUPS[kind];
  if (!groups) return { normalized: null, problems: [] };
  const group = apiGroupOf(raw.apiVersion);
  if (group !== null && !groups.includes(group)) return { normalized: null, problems: [] };
  const meta = isObj(raw.metadata) ? raw.metadata : null;
  if (!meta || typeof meta.name !== 'string' || !meta.name) {
    return { normalized: null, problems: [{ code: ErrorCode.INPUT_INVALID_OBJECT, message: `${kind}: metadata.name is missing`, path: ['metadata'] }] };
  }
  const name = meta.name;
  const namespaced = NAMESPACED_KINDS.has(kind);
  if (namespaced && meta.namespace !== undefined && meta.namespace !== null && typeof meta.namespace !== 'string') {
    // Not the default namespace: Kubernetes rejects the object. (YAML 1.1 reads an unquoted n, no, y, yes,
    // on or off as a boolean, so `namespace: no` is not the namespace "no".)
    return {
      normalized: null,
      problems: [{ code: ErrorCode.INPUT_INVALID_OBJECT, message: `${kind} ${name}: metadata.namespace is not a string (quote it)`, path: ['metadata', 'namespace'] }],
    };
  }
  const ns = namespaced ? (typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : env.defaultNamespace) : null;
  const id = objectId(kind, name, ns);
  const pr = new Problems(kind, ns, name);
  const labels = stringMap(meta.labels);
  const result = (n: Normalized | null): NormalizeResult => ({ normalized: pr.fatal() ? null : n, problems: pr.list });

  switch (kind) {
    case 'Role':
    case 'ClusterRole': {
      const isCluster = kind === 'ClusterRole';
      const agg = isCluster && isObj(raw.aggregationRule) && Array.isArray(raw.aggregationRule.clusterRoleSelectors)
        ? raw.aggregationRule.clusterRoleSelectors.map(labelSelector)
        : null;
      return result({
        collection: 'roles',
        object: { id, kind, name, namespace: ns, labels, rules: rules(raw.rules, ['rules'], pr, !isCluster), aggregationSelectors: agg },
      });
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const rr = raw.roleRef;
      if (!isObj(rr) || typeof rr.kind !== 'string' || typeof rr.name !== 'string') {
        pr.add(['roleRef'], 'needs string kind and name');
        return result(null);
      }
      return result({
        collection: 'bindings',
        object: { id, kind, name, namespace: ns, labels, roleRef: { kind: rr.kind, name: rr.name }, subjects: subjects(raw.subjects, pr) },
      });
    }
    case 'ServiceAccount': {
      const ann = stringMap(meta.annotations);
      const kept: Record<string, string> = {};
      for (const k of SA_ANNOTATIONS) if (ann[k] !== undefined) kept[k] = ann[k];
      return result({
        collection: 'serviceAccounts',
        object: { id, name, namespace: ns!, labels, annotations: kept, automountServiceAccountToken: optBool(raw.automountServiceAccountToken) },
      });
    }
    case 'Pod':
      return result({
        collection: 'pods',
        object: { id, name, namespace: ns!, labels, owner: ownerOf(meta, ns), spec: podSpec(raw.spec, ['spec'], pr) },
      });
    case 'Secret': {
      const ann = stringMap(meta.annotations);
      delete ann[LAST_APPLIED];
      return result({
        collection: 'secrets',
        object: { id, name, namespace: ns!, type: raw.type === SA_TOKEN_TYPE ? SA_TOKEN_TYPE : null, labels, annotations: ann, owner: ownerOf(meta, ns) },
      });
    }
    case 'Namespace':
      return result({ collection: 'namespaces', object: { id, name, labels } });
    case 'Node': {
      const spec = isObj(raw.spec) ? raw.spec : {};
      const taints = Array.isArray(spec.taints)
        ? spec.taints.filter(isObj).filter((t) => typeof t.key === 'string').map((t) => ({
            key: t.key as string,
            value: typeof t.value === 'string' ? t.value : null,
            effect: typeof t.effect === 'string' ? t.effect : '',
          }))
        : [];
      return result({ collection: 'nodes', object: { id, name, labels, taints, unschedulable: bool(spec.unschedulable) } });
    }
    case 'PersistentVolume': {
      const spec = isObj(raw.spec) ? raw.spec : {};
      const hp = isObj(spec.hostPath) && typeof spec.hostPath.path === 'string' ? spec.hostPath.path : isObj(spec.local) && typeof spec.local.path === 'string' ? spec.local.path : null;
      const cr = isObj(spec.claimRef) && typeof spec.claimRef.name === 'string'
        ? `${typeof spec.claimRef.namespace === 'string' ? spec.claimRef.namespace : env.defaultNamespace}/${spec.claimRef.name}`
        : null;
      return result({ collection: 'persistentVolumes', object: { id, name, hostPath: hp, claimRef: cr } });
    }
    case 'PersistentVolumeClaim': {
      const spec = isObj(raw.spec) ? raw.spec : {};
      return result({
        collection: 'persistentVolumeClaims',
        object: { id, name, namespace: ns!, volumeName: typeof spec.volumeName === 'string' && spec.volumeName ? spec.volumeName : null },
      });
    }
    case 'MutatingWebhookConfiguration':
    case 'ValidatingWebhookConfiguration':
      return result({
        collection: 'webhookConfigurations',
        object: { id, kind, name, webhooks: Array.isArray(raw.webhooks) ? raw.webhooks.length : 0 },
      });
    case 'NetworkPolicy': {
      const spec = isObj(raw.spec) ? raw.spec : {};
      return result({
        collection: 'networkPolicies',
        object: { id, name, namespace: ns!, podSelector: labelSelector(spec.podSelector), policyTypes: strings(spec.policyTypes, ['spec'], 'policyTypes', pr) },
      });
    }
    case 'ConfigMap': {
      if (ns !== 'kube-system' || name !== 'aws-auth') return { normalized: null, problems: [] };
      const data = isObj(raw.data) ? raw.data : {};
      return result({
        collection: 'awsAuth',
        object: { mapRoles: awsAuthMappings(data.mapRoles, 'rolearn', env.parseYaml), mapUsers: awsAuthMappings(data.mapUsers, 'userarn', env.parseYaml) },
      });
    }
    default: {
      const wk = kind as WorkloadKind;
      const specPath = templateSpecPath(wk);
      const spec = getPath(raw, specPath);
      if (!isObj(spec)) {
        pr.add(specPath, 'is missing: a workload needs a pod template');
        return result(null);
      }
      return result({
        collection: 'workloads',
        object: { id, kind: wk, name, namespace: ns!, labels, owner: ownerOf(meta, ns), template: podSpec(spec, specPath, pr) },
      });
    }
  }
}
