// POD_EXEC: run commands in a running pod through pods/exec or pods/attach.

import type { Grant } from '../../rbac/authorizer.js';
import type { Pod } from '../../snapshot/types.js';
import { Agg, grantEvidence, namedInScope, scopeText, type AnalysisContext } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';

/** The pods a grant limited by resourceNames reaches: those of its namespace (every namespace when cluster-wide) with a listed name. */
export function namedPods(ctx: AnalysisContext, g: Grant): Pod[] {
  return namedInScope(ctx, g, (ns, name) => ctx.index.pod(ns, name));
}

export default defineTechnique({
  meta: {
    id: 'POD_EXEC',
    title: 'Run commands in a pod (exec or attach)',
    severity: 'high',
    mitre: 'T1609',
    rationale:
      'create on pods/exec runs a command in a container of the pod, and create on pods/attach joins the standard ' +
      'streams of its running process; the attacker then holds whatever the pod holds: its mounted service-account ' +
      'token, its mounted secrets, and its node when the pod can escape. Clusters before 1.35 also accept get ' +
      'for both (the WebSocket upgrade is a GET). The request carries the pod\'s name, so resourceNames restrict it.',
  },
  reads: [...RBAC_INPUTS, 'pods'],
  *derive(ctx) {
    for (const sub of ['exec', 'attach']) {
      // The authorizer adds `get` for clusters before 1.35 (rbac-semantics.md, request attributes).
      for (const g of ctx.grants(['create'], '', 'pods', sub)) {
        const evidence = grantEvidence(g);
        if (g.rule.resourceNames.length === 0) {
          const explanation = `can ${sub} into pods in ${scopeText(g.scope)}`;
          for (const s of g.binding.subjects) yield { from: s, to: Agg.pods(g.scope), evidence, explanation };
          continue;
        }
        for (const p of namedPods(ctx, g)) {
          for (const s of g.binding.subjects) yield { from: s, to: p.id, evidence, explanation: `can ${sub} into pod ${p.namespace}/${p.name}` };
        }
      }
    }
  },
});
