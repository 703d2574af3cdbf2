// NODES_PROXY: the kubelet API through nodes/proxy runs commands in any pod on the node.

import { nodeId } from '../../ids.js';
import { Agg, grantEvidence } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';

export default defineTechnique({
  meta: {
    id: 'NODES_PROXY',
    title: 'Use the kubelet API through nodes/proxy',
    severity: 'critical',
    mitre: 'T1609',
    rationale:
      'nodes/proxy reaches the kubelet\'s API, whose /exec, /run and /attach endpoints run commands in any pod on ' +
      'the node, bypassing admission and the API server\'s audit of pods/exec. The kubelet authorizes by HTTP ' +
      'method: POST (/run) needs create, and GET (/exec over WebSocket) only get, so either verb is enough. ' +
      'Nodes are cluster-scoped: only ClusterRoleBindings grant it; resourceNames restrict it to the listed nodes.',
  },
  reads: [...RBAC_INPUTS, 'nodes', 'pods'],
  *derive(ctx) {
    for (const g of ctx.grants(['get', 'create'], '', 'nodes', 'proxy')) {
      // A RoleBinding never applies to a cluster-scoped request.
      if (g.scope !== null) continue;
      const evidence = grantEvidence(g);
      const verbs = g.rule.verbs.includes('*') ? '*' : g.rule.verbs.filter((v) => v === 'get' || v === 'create').join('/');
      if (g.rule.resourceNames.length === 0) {
        for (const s of g.binding.subjects) yield { from: s, to: Agg.nodePods(null), evidence, explanation: `can ${verbs} nodes/proxy on every node and run commands in its pods` };
        continue;
      }
      for (const name of [...g.rule.resourceNames].sort()) {
        const node = nodeId(name);
        if (!ctx.index.nodes.has(node)) continue;
        for (const s of g.binding.subjects) yield { from: s, to: Agg.nodePods(node), evidence, explanation: `can ${verbs} nodes/proxy on ${name} and run commands in its pods` };
      }
    }
  },
});
