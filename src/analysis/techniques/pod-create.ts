// POD_CREATE: creating pods, or any workload that makes pods, in a namespace gives its identities, secrets and nodes.

import { Agg, grantEvidence, scopeText } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';

/** Everything that makes a pod: pods themselves and every built-in workload kind (apps and batch included). */
export const POD_MAKERS: ReadonlyArray<[group: string, resource: string]> = [
  ['', 'pods'], ['', 'replicationcontrollers'], ['apps', 'deployments'], ['apps', 'daemonsets'], ['apps', 'statefulsets'],
  ['apps', 'replicasets'], ['batch', 'jobs'], ['batch', 'cronjobs'],
];

export default defineTechnique({
  meta: {
    id: 'POD_CREATE',
    title: 'Create a pod (or a workload) in a namespace',
    severity: 'high',
    mitre: 'T1610',
    rationale:
      'Whoever can create pods, or any workload kind whose controller creates pods (deployments and friends in ' +
      'apps, jobs and cronjobs in batch, replicationcontrollers), can run a pod as any service account of that ' +
      'namespace, mount any of its secrets, and, unless Pod Security admission enforces baseline or restricted ' +
      'there, run it privileged on any node it names in spec.nodeName.',
  },
  reads: [...RBAC_INPUTS, 'namespaces', 'persistentVolumes', 'persistentVolumeClaims'],
  *derive(ctx) {
    const ix = ctx.index;
    // A cluster-wide creator can use any namespace that does not enforce Pod Security (from the
    // Namespace objects; without any, none is known to enforce), or any namespace holding a claim bound
    // to a hostPath PersistentVolume: admission checks the pod's volume, not the PV behind it
    // (rbac-semantics.md, "Nodes"), so such a claim opens the nodes even where every namespace enforces.
    const anyOpenNamespace = ctx.snapshot.namespaces.length === 0 || ctx.snapshot.namespaces.some((n) => !ix.psaForbidsHostAccess(n.name));
    const allClaims = [...new Set([
      ...ctx.snapshot.persistentVolumes.flatMap((pv) => (pv.hostPath !== null && pv.claimRef !== null ? [pv.claimRef] : [])),
      ...ctx.snapshot.persistentVolumeClaims.filter((c) => ix.isHostPathClaim(c.namespace, c.name)).map((c) => `${c.namespace}/${c.name}`),
    ])].sort();
    for (const [group, resource] of POD_MAKERS) {
      for (const g of ctx.grants(['create'], group, resource)) {
        // A create carries no name: a rule limited by resourceNames never allows it.
        if (g.rule.resourceNames.length > 0) continue;
        const what = group ? `${resource}.${group}` : resource;
        const evidence = grantEvidence(g);
        const base = `can create ${what} in ${scopeText(g.scope)}`;
        const claims = g.scope === null ? allClaims : ix.hostPathClaimsIn(g.scope);
        const privileged = g.scope === null ? anyOpenNamespace : !ix.psaForbidsHostAccess(g.scope);
        const nodesOpen = privileged || claims.length > 0;
        // One text per grant, shared by its subjects' edges.
        const runAs = `${base} and run them as`;
        const mount = `${base} and mount`;
        const how = !privileged
          ? ` with a pod mounting claim ${claims[0]}, bound to a hostPath PersistentVolume (Pod Security checks the pod, not the volume)`
          : ' privileged';
        const runOn = nodesOpen ? `${base} and run one${how} on` : '';
        for (const s of g.binding.subjects) {
          yield { from: s, to: Agg.identities(g.scope), evidence, explanation: runAs };
          yield { from: s, to: Agg.secrets(g.scope), evidence, explanation: mount };
          if (nodesOpen) yield { from: s, to: Agg.nodes(), evidence, explanation: runOn };
        }
      }
    }
  },
});
