// NODE_PATCH: relabel and taint nodes so that controller-owned pods are recreated on a node one controls.

import { compareIds } from '../../ids.js';
import type { Grant } from '../../rbac/authorizer.js';
import { Agg, grantEvidence } from '../context.js';
import { implicitGroupsOf } from '../holders.js';
import { couldCombineWith } from '../joint-requirements.js';
import { defineTechnique } from '../technique.js';

const verbsOf = (g: Grant): string => (g.rule.verbs.includes('*') ? 'patch/update' : g.rule.verbs.filter((v) => v === 'patch' || v === 'update').join('/'));
const whichOf = (g: Grant): string => (g.rule.resourceNames.length === 0 ? 'nodes' : `node ${[...g.rule.resourceNames].sort().join(', ')}`);

export default defineTechnique({
  meta: {
    id: 'NODE_PATCH',
    title: 'Attract pods to a node one controls',
    severity: 'high',
    mitre: 'T1610',
    rationale:
      'Whoever can patch or update Node objects can change their labels and taints: taint the other nodes ' +
      'NoExecute (their pods are evicted), cordon them, and label its own node to match every nodeSelector and ' +
      'affinity. Controllers recreate the evicted pods, and the scheduler puts them on the node left open. That ' +
      'only pays off for someone who already has root on a node: then every pod a controller recreates there ' +
      'gives its service account and secrets. DaemonSet pods already run on every node and static pods are not ' +
      'scheduled, so neither counts.',
  },
  // Late: ctx.reachesNode needs every other technique's edges first.
  late: true,
  *derive(ctx) {
    const byOwner = new Map<string, Grant[]>();
    for (const g of ctx.grants(['patch', 'update'], '', 'nodes')) {
      // Nodes are cluster-scoped: a RoleBinding never applies.
      if (g.scope !== null) continue;
      for (const s of g.binding.subjects) {
        const l = byOwner.get(s);
        if (l) l.push(g);
        else byOwner.set(s, [g]);
      }
    }
    if (byOwner.size === 0) return;
    // Two requirements, one subject: the right to patch nodes (its own or its implicit groups') and root
    // on some node. A group that holds the first but reaches no node itself passes it to members that do.
    const mayHold = couldCombineWith([...byOwner.values()].flat());
    const candidates = new Set<string>(byOwner.keys());
    for (const sas of ctx.index.saByNamespace.values()) for (const sa of sas) if (mayHold(sa)) candidates.add(sa);
    for (const rb of ctx.rbac.resolvedBindings) for (const s of rb.subjects) if (mayHold(s)) candidates.add(s);
    for (const s of [...candidates].sort(compareIds)) {
      // Pulling pods to a node pays off only for whoever can then take them there.
      if (!ctx.reachesNode(s)) continue;
      let grants = byOwner.get(s) ?? [];
      let through = '';
      if (grants.length === 0) {
        const groups = implicitGroupsOf(s).filter((gr) => byOwner.has(gr));
        // A group that reaches a node has the edge itself; its members get there through MEMBER_OF.
        if (groups.length === 0 || groups.some((gr) => ctx.reachesNode(gr))) continue;
        grants = byOwner.get(groups[0])!;
        through = ` (through ${groups[0]})`;
      }
      for (const g of grants) {
        yield {
          from: s,
          to: Agg.attractablePods(),
          evidence: grantEvidence(g),
          explanation: `can ${verbsOf(g)} ${whichOf(g)} (labels, taints)${through} and has root on a node, so it can have controllers recreate there`,
        };
      }
    }
  },
});
