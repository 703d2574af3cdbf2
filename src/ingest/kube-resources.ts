// The API resources a live scan reads: where each is listed, how, and what is incomplete without it.

import { SA_TOKEN_TYPE } from '../snapshot/normalize.js';

export interface LiveResource {
  /** Stable key: the resource, `.group` when not core, and a suffix for the token-secret list. */
  key: string;
  /** The kind of its objects: what normalizeObject sees (API list items carry no kind). */
  kind: string;
  group: string;
  version: string;
  /** The resource's plural name in the API path. */
  resource: string;
  namespaced: boolean;
  /** Only this namespace (aws-auth lives in kube-system). */
  namespace?: string;
  /** Read one object by name instead of listing (scan); watch lists it with a name field selector. */
  name?: string;
  /** Metadata only (PartialObjectMetadataList): values never cross the wire. */
  metadataOnly?: boolean;
  fieldSelector?: string;
  /** A type every item of this list has (a metadata-only list carries no type). */
  itemType?: string;
  /** The kind named in the snapshot's coverage section when this resource cannot be read. */
  coverageKind: string;
  /** What analysis misses without it, for the warning. */
  affects: string;
  /** Skipped by `--skip-secrets`. */
  secret?: boolean;
}

const RBAC = 'rbac.authorization.k8s.io';
const RBAC_AFFECTS = 'every RBAC answer (who-can, can-i, every path)';
const WORKLOAD_AFFECTS = 'pod templates: WORKLOAD_PATCH targets and node escapes through templates';

function res(kind: string, group: string, version: string, resource: string, namespaced: boolean, affects: string, extra: Partial<LiveResource> = {}): LiveResource {
  return {
    key: group ? `${resource}.${group}` : resource,
    kind,
    group,
    version,
    resource,
    namespaced,
    coverageKind: kind,
    affects,
    ...extra,
  };
}

/** Every resource the collector reads, in the order a scan lists them (small, central kinds first). */
export const LIVE_RESOURCES: readonly LiveResource[] = [
  res('Namespace', '', 'v1', 'namespaces', false, 'Pod Security labels (POD_CREATE node escapes, NAMESPACE_PATCH, PV_CREATE)'),
  res('ClusterRole', RBAC, 'v1', 'clusterroles', false, RBAC_AFFECTS),
  res('ClusterRoleBinding', RBAC, 'v1', 'clusterrolebindings', false, RBAC_AFFECTS),
  res('Role', RBAC, 'v1', 'roles', true, RBAC_AFFECTS),
  res('RoleBinding', RBAC, 'v1', 'rolebindings', true, RBAC_AFFECTS),
  res('ServiceAccount', '', 'v1', 'serviceaccounts', true, 'service accounts without bindings or pods (RUNS_AS, TOKEN_REQUEST, CLOUD_IDENTITY annotations)'),
  res('Node', '', 'v1', 'nodes', false, 'node objects (NODES_PROXY, NODE_PATCH); nodes that pods name still appear'),
  res('Pod', '', 'v1', 'pods', true, 'pods: POD_EXEC, RUNS_AS, NODE_ESCAPE, SECRET_MOUNT, NODE_CREDENTIALS and every path through a running pod'),
  res('Secret', '', 'v1', 'secrets', true, 'secrets: secret-access and SECRET_READ then cover only secrets that pods reference', { metadataOnly: true, secret: true }),
  res('Secret', '', 'v1', 'secrets', true, 'service-account token secrets: SECRET_READ to a service account through its legacy token', {
    key: 'secrets#service-account-token',
    metadataOnly: true,
    secret: true,
    fieldSelector: `type=${SA_TOKEN_TYPE}`,
    itemType: SA_TOKEN_TYPE,
  }),
  res('PersistentVolume', '', 'v1', 'persistentvolumes', false, 'hostPath persistent volumes (NODE_ESCAPE, PV_CREATE)'),
  res('PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims', true, 'claims of hostPath persistent volumes (NODE_ESCAPE)'),
  res('NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies', true, 'network policies (posture checks)'),
  res('MutatingWebhookConfiguration', 'admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', false, 'admission webhooks (WEBHOOK_CONTROL)'),
  res('ValidatingWebhookConfiguration', 'admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', false, 'admission webhooks (WEBHOOK_CONTROL)'),
  res('Deployment', 'apps', 'v1', 'deployments', true, WORKLOAD_AFFECTS),
  res('DaemonSet', 'apps', 'v1', 'daemonsets', true, WORKLOAD_AFFECTS),
  res('StatefulSet', 'apps', 'v1', 'statefulsets', true, WORKLOAD_AFFECTS),
  res('ReplicaSet', 'apps', 'v1', 'replicasets', true, WORKLOAD_AFFECTS),
  res('Job', 'batch', 'v1', 'jobs', true, WORKLOAD_AFFECTS),
  res('CronJob', 'batch', 'v1', 'cronjobs', true, WORKLOAD_AFFECTS),
  res('ReplicationController', '', 'v1', 'replicationcontrollers', true, WORKLOAD_AFFECTS),
  // EKS maps IAM identities to Kubernetes users and groups here; most clusters have no such object.
  res('ConfigMap', '', 'v1', 'configmaps', true, 'EKS aws-auth IAM mappings (CLOUD_IDENTITY)', {
    key: 'configmaps#aws-auth',
    namespace: 'kube-system',
    name: 'aws-auth',
    coverageKind: 'ConfigMap',
  }),
];

export function apiVersionOf(r: LiveResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The collection path: `/api/v1/pods`, `/apis/apps/v1/namespaces/kube-system/deployments`. */
export function collectionPath(r: LiveResource): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return `${base}${r.namespace ? `/namespaces/${encodeURIComponent(r.namespace)}` : ''}/${r.resource}`;
}

/** kubectl's way of naming a resource: `pods`, `deployments.apps`. */
export function resourceLabel(r: LiveResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** The field selector a watch (or a list) of this resource uses: a named object is selected by name. */
export function fieldSelectorOf(r: LiveResource): string | undefined {
  if (r.name) return `metadata.name=${r.name}`;
  return r.fieldSelector;
}

export const PARTIAL_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
/** Watch events carry single objects, so a metadata-only watch asks for PartialObjectMetadata. */
export const PARTIAL_OBJECT_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** A permission rbacgraph needs, as a SelfSubjectAccessReview asks it. */
export interface NeededPermission {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  /** What it is for, in the self-check output. */
  purpose: string;
  secret?: boolean;
}

/** Everything rbacgraph's collector and watch mode ask of the API (deploy/ grants exactly this). */
export function neededPermissions(): NeededPermission[] {
  const out: NeededPermission[] = [];
  const seen = new Set<string>();
  for (const r of LIVE_RESOURCES) {
    const verbs = r.name ? ['get', 'list', 'watch'] : ['list', 'watch'];
    for (const verb of verbs) {
      const k = `${verb} ${r.group}/${r.resource}/${r.namespace ?? ''}/${r.name ?? ''}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const purpose = verb === 'watch' ? 'watch mode' : verb === 'get' ? 'scan' : r.name ? 'watch mode (list by name)' : 'scan and watch mode';
      out.push({ verb, group: r.group, resource: r.resource, namespace: r.namespace, name: r.name, purpose, secret: r.secret });
    }
  }
  return out;
}
