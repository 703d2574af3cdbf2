// RUNS_AS: a pod (or workload template) holds its service account's token when it is mounted.

import { defineTechnique, LazyEdge } from '../technique.js';

export default defineTechnique({
  meta: {
    id: 'RUNS_AS',
    title: 'Pod runs as its service account',
    severity: 'info',
    mitre: 'T1528',
    rationale:
      'A pod runs as a service account of its namespace (default `default`) and, unless ' +
      '`automountServiceAccountToken: false` is set on the pod (which wins) or on the service account, its token is ' +
      'mounted at /var/run/secrets/kubernetes.io/serviceaccount: whoever runs code in the pod can use it.',
  },
  reads: ['pods', 'workloads', 'serviceAccounts'],
  *derive(ctx) {
    for (const p of ctx.snapshot.pods) {
      if (!ctx.index.tokenMounted(p.namespace, p.spec, p.owner)) continue;
      const sa = ctx.index.saIdOf(p.namespace, p.spec.serviceAccountName);
      yield new LazyEdge(p.id, sa, [p.id], podToken, p.namespace, p.spec.serviceAccountName);
    }
    for (const w of ctx.snapshot.workloads) {
      if (!ctx.index.tokenMounted(w.namespace, w.template)) continue;
      const sa = ctx.index.saIdOf(w.namespace, w.template.serviceAccountName);
      yield new LazyEdge(w.id, sa, [w.id], workloadToken, w.namespace, w.template.serviceAccountName);
    }
  },
});

const podToken = (ns: string, sa: string): string => `the pod mounts the token of ${ns}/${sa}`;
const workloadToken = (ns: string, sa: string): string => `its pods mount the token of ${ns}/${sa}`;
