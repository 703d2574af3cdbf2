// NAMESPACE_PATCH: relabel a namespace to lift Pod Security admission, then create a pod that escapes to its node.

import type { Grant } from '../../rbac/authorizer.js';
import { Agg, namesAllow, PSA_ENFORCE_LABEL } from '../context.js';
import { jointEvidence, jointReach, type Reach } from '../holders.js';
import { memoReach, narrowRequirements } from '../joint-requirements.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';
import { POD_MAKERS } from './pod-create.js';

const what = (group: string, resource: string): string => (group ? `${resource}.${group}` : resource);

export default defineTechnique({
  meta: {
    id: 'NAMESPACE_PATCH',
    title: 'Lift Pod Security admission from a namespace',
    severity: 'high',
    mitre: 'T1562.001',
    rationale:
      'Pod Security admission reads its level from the namespace\'s pod-security.kubernetes.io/enforce label. ' +
      'Whoever can patch or update that Namespace object can set the label to privileged (or remove it), and ' +
      'whoever can also create pods or any workload there can then run a privileged pod on any node. A request ' +
      'on the Namespace object N has namespace N, so a RoleBinding in N that grants patch on namespaces lets ' +
      'one relabel N itself.',
  },
  reads: [...RBAC_INPUTS, 'namespaces'],
  *derive(ctx) {
    // Only namespaces that enforce baseline or restricted: elsewhere POD_CREATE reaches the node already.
    const enforced = ctx.snapshot.namespaces.map((n) => n.name).filter((n) => ctx.index.psaForbidsHostAccess(n)).sort();
    if (enforced.length === 0) return;
    const enforcedSet = new Set(enforced);
    const anyOpen = ctx.snapshot.namespaces.some((n) => !enforcedSet.has(n.name));
    // Only grants that can touch an enforcing namespace matter (a RoleBinding in N: N itself).
    const relabels = ctx.grants(['patch', 'update'], '', 'namespaces').filter((g) =>
      g.scope === null ? g.rule.resourceNames.length === 0 || g.rule.resourceNames.some((n) => enforcedSet.has(n)) : enforcedSet.has(g.scope) && namesAllow(g, g.scope));
    const podMaker = new Map<Grant, string>();
    for (const [group, resource] of POD_MAKERS) {
      // A create carries no name: a rule limited by resourceNames never allows it.
      for (const g of ctx.grants(['create'], group, resource)) {
        if (g.rule.resourceNames.length === 0 && (g.scope === null || enforcedSet.has(g.scope))) podMaker.set(g, what(group, resource));
      }
    }
    yield* jointReach(narrowRequirements([relabels, [...podMaker.keys()]]), memoReach(([rs, ps]) => {
      const podAnywhere = ps.find((p) => p.scope === null);
      const podIn = new Map<string, Grant>();
      for (const p of ps) if (p.scope !== null && !podIn.has(p.scope)) podIn.set(p.scope, p);
      // Pods anywhere while some namespace enforces nothing: POD_CREATE reaches the nodes with that grant already.
      if (podAnywhere && anyOpen) return [];
      const podFor = (ns: string): Grant | undefined => podIn.get(ns) ?? podAnywhere;
      let found: [Grant, Grant, string] | null = null;
      for (const r of rs) {
        // The request on Namespace N has namespace N: a RoleBinding in N applies to N only.
        const names = r.scope !== null ? [r.scope] : r.rule.resourceNames.length > 0 ? [...r.rule.resourceNames].sort() : enforced;
        for (const ns of names) {
          if (!enforcedSet.has(ns) || !namesAllow(r, ns)) continue;
          const p = podFor(ns);
          if (p && (!found || ns < found[2])) found = [r, p, ns];
          if (p) break;
        }
      }
      if (!found) return [];
      const [r, p, ns] = found;
      const reach: Reach = {
        to: Agg.nodes(),
        evidence: jointEvidence(r, p),
        explanation: `can relabel namespace ${ns} (${PSA_ENFORCE_LABEL}: ${ctx.index.psaLevel(ns)} to privileged) and create ${podMaker.get(p)} there, and run one privileged on`,
      };
      return [reach];
    }));
  },
});
