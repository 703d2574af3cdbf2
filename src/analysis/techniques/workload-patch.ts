// WORKLOAD_PATCH: rewriting a workload's pod template (any SA of its namespace) or a pod's images (its own SA).

import type { WorkloadKind } from '../../snapshot/types.js';
import { Agg, grantEvidence, namesAllow, scopeText } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';
import { namedPods } from './pod-exec.js';

/**
 * Workload kinds whose pod template can be rewritten after creation, so that the next pod runs as
 * another service account. Jobs are left out on purpose: a Job's spec.template is immutable
 * (pkg/apis/batch/validation ValidateJobSpecUpdate; only the node scheduling directives of a
 * suspended Job may change), so patching one never changes what its pods run as. CronJobs are
 * in: their jobTemplate is mutable and the next Job is made from it.
 */
export const PATCHABLE_TEMPLATES: ReadonlyArray<[group: string, resource: string, kind: WorkloadKind]> = [
  ['', 'replicationcontrollers', 'ReplicationController'], ['apps', 'daemonsets', 'DaemonSet'],
  ['apps', 'deployments', 'Deployment'], ['apps', 'replicasets', 'ReplicaSet'], ['apps', 'statefulsets', 'StatefulSet'],
  ['batch', 'cronjobs', 'CronJob'],
];

const VERBS = ['update', 'patch'] as const;

export default defineTechnique({
  meta: {
    id: 'WORKLOAD_PATCH',
    title: 'Rewrite a workload template or a pod',
    severity: 'high',
    mitre: 'T1610',
    rationale:
      'update or patch on a deployment, daemonset, statefulset, replicaset, replicationcontroller or cronjob ' +
      'rewrites its pod template: its controller then makes pods running any service account of the namespace. ' +
      'A pod\'s spec is immutable except for its container images, so update or patch on a pod swaps in an ' +
      'attacker\'s image that runs with the pod\'s own mounted token.',
  },
  reads: [...RBAC_INPUTS, 'workloads', 'pods', 'serviceAccounts'],
  *derive(ctx) {
    const ix = ctx.index;
    for (const [group, resource, kind] of PATCHABLE_TEMPLATES) {
      const what = group ? `${resource}.${group}` : resource;
      for (const g of ctx.grants(VERBS, group, resource)) {
        const evidence = grantEvidence(g);
        if (g.rule.resourceNames.length === 0) {
          const explanation = `can update/patch ${what} in ${scopeText(g.scope)}: a template can run as`;
          for (const s of g.binding.subjects) yield { from: s, to: Agg.identities(g.scope), evidence, explanation };
          continue;
        }
        // Named workloads only: the rule is useful only where such a workload exists (update and
        // patch never create one).
        for (const ns of g.scope === null ? ix.workloadsByNamespace.keys() : [g.scope]) {
          for (const w of ix.workloadsByNamespace.get(ns) ?? []) {
            if (w.kind !== kind || !namesAllow(g, w.name)) continue;
            for (const s of g.binding.subjects) {
              yield { from: s, to: Agg.identities(ns), evidence: [...evidence, w.id], explanation: `can update/patch ${kind} ${ns}/${w.name}, whose template can run as` };
            }
          }
        }
      }
    }

    // Pods: only the images change, so only the pod's own token (when mounted) is reached.
    for (const g of ctx.grants(VERBS, '', 'pods')) {
      const evidence = grantEvidence(g);
      if (g.rule.resourceNames.length === 0) {
        const explanation = `can update/patch pods in ${scopeText(g.scope)}, and so run code as`;
        for (const s of g.binding.subjects) yield { from: s, to: Agg.podIdentities(g.scope), evidence, explanation };
        continue;
      }
      for (const p of namedPods(ctx, g)) {
        // A mirror pod's image cannot be swapped: the kubelet runs the static pod from its file.
        if (p.owner?.startsWith('Node:') || !ix.tokenMounted(p.namespace, p.spec)) continue;
        const sa = ix.saIdOf(p.namespace, p.spec.serviceAccountName);
        for (const s of g.binding.subjects) {
          yield { from: s, to: sa, evidence: [...evidence, p.id], explanation: `can update/patch pod ${p.namespace}/${p.name} and swap its image to run code as ${p.namespace}/${p.spec.serviceAccountName}, whose token it mounts` };
        }
      }
    }
  },
});
