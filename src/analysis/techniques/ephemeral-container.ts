// EPHEMERAL_CONTAINER: add a debug container to a running pod through pods/ephemeralcontainers.

import type { Pod } from '../../snapshot/types.js';
import { Agg, grantEvidence, scopeText } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';
import { namedPods } from './pod-exec.js';

/** A static pod's mirror (owned by its Node): the API server refuses ephemeral containers there. */
const isMirror = (p: Pod): boolean => p.owner?.startsWith('Node:') ?? false;

export default defineTechnique({
  meta: {
    id: 'EPHEMERAL_CONTAINER',
    title: 'Add an ephemeral container to a pod',
    severity: 'high',
    mitre: 'T1609',
    rationale:
      'update or patch on pods/ephemeralcontainers adds a container of the attacker\'s choosing to a running pod. ' +
      'It may mount the pod\'s volumes, the service-account token volume included, and share its process ' +
      'namespace: the attacker holds whatever the pod holds. Static pods (their mirror pods) refuse ephemeral ' +
      'containers. The request carries the pod\'s name, so resourceNames restrict it.',
  },
  reads: [...RBAC_INPUTS, 'pods'],
  *derive(ctx) {
    const ix = ctx.index;
    const withMirrors = new Set(ctx.snapshot.pods.filter(isMirror).map((p) => p.namespace));
    // Every pod of a namespace but its mirror pods: the aggregate when there are none (usually all but kube-system).
    // Worked out once per namespace, and once for every namespace (grants ask again and again).
    const podsByNs = new Map<string, string[]>();
    const podsOf = (ns: string): string[] => {
      let l = podsByNs.get(ns);
      if (!l) podsByNs.set(ns, (l = withMirrors.has(ns) ? (ix.podsByNamespace.get(ns) ?? []).filter((p) => !isMirror(p)).map((p) => p.id) : [Agg.pods(ns)]));
      return l;
    };
    let everyPod: string[] | null = null;
    for (const g of ctx.grants(['update', 'patch'], '', 'pods', 'ephemeralcontainers')) {
      const evidence = grantEvidence(g);
      let targets: string[];
      if (g.rule.resourceNames.length > 0) targets = namedPods(ctx, g).filter((p) => !isMirror(p)).map((p) => p.id);
      else if (g.scope !== null) targets = podsOf(g.scope);
      else targets = everyPod ??= withMirrors.size === 0 ? [Agg.pods(null)] : ix.sortedNamespaces().filter((ns) => ix.podsByNamespace.has(ns)).flatMap(podsOf);
      for (const to of targets) {
        const explanation = to.startsWith('Agg:')
          ? `can add ephemeral containers to pods in ${scopeText(g.scope)}`
          : `can add an ephemeral container to pod ${to.slice('Pod:'.length)}`;
        for (const s of g.binding.subjects) yield { from: s, to, evidence, explanation };
      }
    }
  },
});
