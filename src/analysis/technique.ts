// The technique contract: metadata plus one function that derives attack edges with evidence.

import type { Severity, TechniqueId } from '../graph/schema.js';
import type { ObjectCollection } from '../snapshot/types.js';
import type { AnalysisContext } from './context.js';

export interface TechniqueMeta {
  id: TechniqueId;
  title: string;
  severity: Severity;
  /** MITRE ATT&CK technique ID (Containers matrix where it has one). */
  mitre: string;
  /** One paragraph: why this step works. */
  rationale: string;
}

/** One attack edge as a technique derives it; `to` may be an aggregate node (see context.ts). */
export interface AttackEdge {
  from: string;
  to: string;
  evidence: string[];
  explanation: string;
}

/**
 * An edge whose explanation is written when it is read. Techniques that derive an edge per pod
 * or per aggregate member (hundreds of thousands on a large cluster, nearly all never printed)
 * pass a module-level formatter and its two arguments instead of a string. Read-only like every
 * edge; serializes as a plain edge.
 */
export class LazyEdge<A, B> implements AttackEdge {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly evidence: string[],
    private readonly format: (a: A, b: B) => string,
    private readonly a: A,
    private readonly b: B,
  ) {}

  get explanation(): string {
    return this.format(this.a, this.b);
  }

  toJSON(): AttackEdge {
    return { from: this.from, to: this.to, evidence: this.evidence, explanation: this.explanation };
  }
}

/** A binding the analysis adds because some subject could create it (ROLE_BIND, ROLE_ESCALATE). */
export interface VirtualGrant {
  /** `Grant:<scope>/<roleId>`: the pseudo-identity holding that role in that scope. */
  subject: string;
  roleId: string;
  /** null: cluster-wide. */
  scope: string | null;
}

export interface Technique {
  meta: TechniqueMeta;
  /** Pseudo-identities this technique makes reachable; the runner adds them to the RBAC index first. */
  virtualGrants?(ctx: AnalysisContext): Iterable<VirtualGrant>;
  /** Runs after every other technique, with `ctx.reachesNode` available. */
  late?: boolean;
  /**
   * The snapshot collections the derivation depends on. In watch mode a technique whose inputs did
   * not change keeps its edges instead of deriving them again. Omitted: it depends on everything.
   */
  reads?: readonly SnapshotInput[];
  derive(ctx: AnalysisContext): Iterable<AttackEdge>;
}

export function defineTechnique(t: Technique): Technique {
  return t;
}

/** What a technique may read: a snapshot collection, or `awsAuth`. */
export type SnapshotInput = ObjectCollection | 'awsAuth';

/** Roles and bindings: every technique that asks the authorizer reads these. */
export const RBAC_INPUTS: readonly SnapshotInput[] = ['roles', 'bindings'];
