// NODE_CREDENTIALS: root on a node is every identity and secret of the pods on it.

import { isStaticPodOwner } from '../context.js';
import type { Pod } from '../../snapshot/types.js';
import { defineTechnique, LazyEdge } from '../technique.js';
import { mountedSecrets } from './secret-mount.js';

export default defineTechnique({
  meta: {
    id: 'NODE_CREDENTIALS',
    title: 'Node credentials and files',
    severity: 'critical',
    mitre: 'T1552.001',
    rationale:
      'The Node authorizer lets a kubelet read exactly the secrets referenced by the pods scheduled on it and ' +
      'request tokens for those pods\' service accounts, and the host disk holds every mounted token: root on a ' +
      'node is every service account and secret of the pods on it.',
  },
  reads: ['pods', 'secrets'],
  *derive(ctx) {
    for (const [node, pods] of ctx.index.podsByNode) {
      for (const p of pods) {
        if (isStaticPodOwner(p.owner)) continue; // no service account, no API secrets
        const sa = ctx.index.saIdOf(p.namespace, p.spec.serviceAccountName);
        const evidence = [p.id]; // shared by the pod's edges (edges are read-only)
        yield new LazyEdge(node, sa, evidence, runsThere, p, null);
        const mounted = mountedSecrets(p.spec);
        const names = p.spec.imagePullSecrets.length === 0 ? mounted : [...new Set([...mounted, ...p.spec.imagePullSecrets])].sort();
        for (const name of names) {
          const id = ctx.index.secretIdOf(p.namespace, name);
          yield new LazyEdge(node, id, evidence, referencesThere, p, name);
          const holder = ctx.index.tokenHolder.get(id);
          if (holder) yield { from: node, to: holder, evidence: [p.id, id], explanation: `pod ${p.namespace}/${p.name} there mounts ${p.namespace}/${name}, a legacy token` };
        }
      }
    }
  },
});

const runsThere = (p: Pod): string => `pod ${p.namespace}/${p.name} runs there as ${p.namespace}/${p.spec.serviceAccountName}`;
const referencesThere = (p: Pod, name: string): string => `pod ${p.namespace}/${p.name} there references secret ${p.namespace}/${name}`;
