// Node and edge kinds of the attack graph, declared once and reused by every output (CLI, reports, exports).

export const NODE_KINDS = [
  'User', 'Group', 'ServiceAccount', 'Node', 'Pod', 'Workload', 'Secret', 'CloudIdentity', 'Grant', 'Target', 'Aggregate',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const TECHNIQUE_IDS = [
  'CLOUD_IDENTITY', 'CSR_APPROVE', 'EPHEMERAL_CONTAINER', 'IMPERSONATE', 'MEMBER_OF', 'NAMESPACE_PATCH', 'NODES_PROXY',
  'NODE_CREDENTIALS', 'NODE_ESCAPE', 'NODE_PATCH', 'POD_CREATE', 'POD_EXEC', 'PV_CREATE', 'RBAC', 'ROLE_BIND',
  'ROLE_ESCALATE', 'RUNS_AS', 'SECRET_MOUNT', 'SECRET_READ', 'TOKEN_REQUEST', 'TOKEN_SECRET_CREATE', 'WEBHOOK_CONTROL',
  'WORKLOAD_PATCH',
] as const;
export type TechniqueId = (typeof TECHNIQUE_IDS)[number];

/** The edge from an aggregate node to one of its members (collapsed into the step that reached the aggregate). */
export const EXPANDS = 'EXPANDS';
export type EdgeKind = TechniqueId | typeof EXPANDS;

/** Every edge kind, in the order searches meet parallel edges (by name). */
export const EDGE_KINDS: readonly EdgeKind[] = ([...TECHNIQUE_IDS, EXPANDS] as EdgeKind[]).sort();
/** Each kind's place in EDGE_KINDS. */
export const KIND_RANK: ReadonlyMap<string, number> = new Map(EDGE_KINDS.map((k, i) => [k, i]));

/** Steps that do not count in a path's length (interface.md section 5, "Length"). */
export const ZERO_LENGTH_TECHNIQUES: ReadonlySet<string> = new Set(['MEMBER_OF', 'RUNS_AS']);

/** Endings after which an aggregate member's explanation continues the sentence ("... and mount" "secret a/b"). */
const RUN_ON_ENDINGS = [' as', ' mount', ' on', ' so'];

/** How a member's explanation is joined to the text before it: a space after a run-on ending, else a colon. */
export function explanationJoiner(before: string): ' ' | ': ' {
  for (const end of RUN_ON_ENDINGS) if (before.endsWith(end)) return ' ';
  return ': ';
}

/** Characters explanationJoiner looks back at (" mount"). */
export const JOINER_CONTEXT = 6;

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export interface NodeAttributes {
  kind: NodeKind;
}

export interface EdgeAttributes {
  kind: EdgeKind;
  /** Object IDs that make the edge true (bindings, roles, pods, nodes, ...). */
  evidence: string[];
  explanation: string;
  /** 0 for MEMBER_OF, RUNS_AS and aggregate expansions; 1 otherwise. */
  weight: 0 | 1;
}

/** The kind of node an ID names. */
export function nodeKindOf(id: string): NodeKind {
  if (id === 'cluster-admin') return 'Target';
  const k = id.slice(0, id.indexOf(':'));
  switch (k) {
    case 'User':
    case 'Group':
    case 'ServiceAccount':
    case 'Node':
    case 'Pod':
    case 'Secret':
    case 'CloudIdentity':
    case 'Grant':
      return k;
    case 'Agg':
      return 'Aggregate';
    default:
      return 'Workload';
  }
}
