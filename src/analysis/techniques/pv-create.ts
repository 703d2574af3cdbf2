// PV_CREATE: a hostPath PersistentVolume of one's own, claimed and mounted by one's own pod: the node's disk.

import type { Grant } from '../../rbac/authorizer.js';
import { Agg, scopeText } from '../context.js';
import { jointEvidence, jointReach } from '../holders.js';
import { memoReach, narrowRequirements } from '../joint-requirements.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';
import { POD_MAKERS } from './pod-create.js';

const what = (group: string, resource: string): string => (group ? `${resource}.${group}` : resource);

export default defineTechnique({
  meta: {
    id: 'PV_CREATE',
    title: 'Create a hostPath PersistentVolume and mount it',
    severity: 'critical',
    mitre: 'T1611',
    rationale:
      'A PersistentVolume may be a hostPath volume of any directory of the node, `/` included. Whoever can ' +
      'create PersistentVolumes (cluster-scoped), a PersistentVolumeClaim bound to it (volumeName, or the PV\'s ' +
      'claimRef) and a pod, or any workload, mounting that claim in the same namespace has the node\'s disk and ' +
      'so root on it, on any node the pod names. Pod Security admission checks the pod\'s volumes, where it sees ' +
      'only a claim: this works even where baseline or restricted is enforced.',
  },
  reads: [...RBAC_INPUTS, 'namespaces'],
  *derive(ctx) {
    // A create carries no name: a rule limited by resourceNames never allows it.
    const unnamed = (gs: Grant[]): Grant[] => gs.filter((g) => g.rule.resourceNames.length === 0);
    // PersistentVolumes are cluster-scoped: only ClusterRoleBindings grant them.
    const volumes = unnamed(ctx.grants(['create'], '', 'persistentvolumes')).filter((g) => g.scope === null);
    const claims = unnamed(ctx.grants(['create'], '', 'persistentvolumeclaims'));
    const podMaker = new Map<Grant, string>();
    for (const [group, resource] of POD_MAKERS) for (const g of unnamed(ctx.grants(['create'], group, resource))) podMaker.set(g, what(group, resource));
    const pods = [...podMaker.keys()];
    yield* jointReach(narrowRequirements([volumes, claims, pods]), memoReach(([vs, cs, ps]) => {
      // The claim and the pod must be in one namespace (a ClusterRoleBinding counts in every one).
      // Prefer a namespace that enforces Pod Security: there this is the way to the node POD_CREATE is not.
      const podAnywhere = ps.find((p) => p.scope === null);
      const podIn = new Map<string, Grant>();
      for (const p of ps) if (p.scope !== null && !podIn.has(p.scope)) podIn.set(p.scope, p);
      const pairs: [Grant, Grant, string | null][] = [];
      for (const c of cs) {
        if (c.scope !== null) {
          const p = podIn.get(c.scope) ?? podAnywhere;
          if (p) pairs.push([c, p, c.scope]);
        } else {
          for (const p of ps) pairs.push([c, p, p.scope]);
        }
      }
      if (pairs.length === 0) return [];
      const [c, p, ns] = pairs.find(([, , n]) => n !== null && ctx.index.psaForbidsHostAccess(n)) ?? pairs[0];
      return [{
        to: Agg.nodes(),
        evidence: jointEvidence(vs[0], c, p),
        explanation: `can create a hostPath PersistentVolume, a claim bound to it and ${podMaker.get(p)} mounting it in ${scopeText(ns)}, and so is root on`,
      }];
    }));
  },
});
