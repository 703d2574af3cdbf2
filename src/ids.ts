// Canonical object IDs (interface.md section 1): `Kind:name` or `Kind:namespace/name`.

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export const userId = (name: string): string => `User:${name}`;
export const groupId = (name: string): string => `Group:${name}`;
export const saId = (ns: string, name: string): string => `ServiceAccount:${ns}/${name}`;
export const nodeId = (name: string): string => `Node:${name}`;
export const podId = (ns: string, name: string): string => `Pod:${ns}/${name}`;
export const secretId = (ns: string, name: string): string => `Secret:${ns}/${name}`;
export const namespaceId = (name: string): string => `Namespace:${name}`;
export const roleId = (kind: 'Role' | 'ClusterRole', name: string, ns?: string): string =>
  kind === 'Role' ? `Role:${ns}/${name}` : `ClusterRole:${name}`;
export const bindingId = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, ns?: string): string =>
  kind === 'RoleBinding' ? `RoleBinding:${ns}/${name}` : `ClusterRoleBinding:${name}`;
/** Any other kind: namespaced `Kind:ns/name`, cluster-scoped `Kind:name`. */
export const objectId = (kind: string, name: string, ns?: string | null): string =>
  ns ? `${kind}:${ns}/${name}` : `${kind}:${name}`;

/** The pseudo-node a workload template or unscheduled pod escapes to: "whichever node it lands on". */
export const ANY_NODE = 'Node:*';
export const CLUSTER_ADMIN = 'cluster-admin';

export interface ParsedId {
  kind: string;
  namespace: string | null;
  name: string;
}

const NAMESPACED_ID_KINDS = new Set([
  'ServiceAccount', 'Pod', 'Secret', 'Role', 'RoleBinding', 'Deployment', 'DaemonSet', 'StatefulSet',
  'ReplicaSet', 'Job', 'CronJob', 'ReplicationController', 'PersistentVolumeClaim',
]);

/** Parse an ID; the kind is everything before the first `:` (user and group names may contain `:`). */
export function parseId(id: string): ParsedId | null {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1) return null;
  const kind = id.slice(0, i);
  const rest = id.slice(i + 1);
  if (NAMESPACED_ID_KINDS.has(kind)) {
    const j = rest.indexOf('/');
    if (j <= 0 || j === rest.length - 1) return null;
    return { kind, namespace: rest.slice(0, j), name: rest.slice(j + 1) };
  }
  return { kind, namespace: null, name: rest };
}

/** Sort by ID with a plain code-unit comparison, so that output bytes do not depend on locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
