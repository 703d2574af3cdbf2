// SECRET_MOUNT: a pod holds the secrets its volumes, projected volumes and environment reference.

import type { PodSpec } from '../../snapshot/types.js';
import { isStaticPodOwner } from '../context.js';
import { defineTechnique } from '../technique.js';

/** Specs are immutable snapshot objects: each one's answer is worked out once (two techniques ask). */
const MOUNTED = new WeakMap<PodSpec, readonly string[]>();

/** Secrets a container of the pod can read: secret and projected volumes, env and envFrom references (sorted; read-only). */
export function mountedSecrets(spec: PodSpec): readonly string[] {
  let names = MOUNTED.get(spec);
  if (!names) {
    const set = new Set<string>();
    for (const v of spec.volumes) for (const s of v.secrets) set.add(s);
    for (const c of spec.containers) for (const s of c.envSecrets) set.add(s);
    names = [...set].sort();
    MOUNTED.set(spec, names);
  }
  return names;
}

export default defineTechnique({
  meta: {
    id: 'SECRET_MOUNT',
    title: 'Pod mounts a secret',
    severity: 'medium',
    mitre: 'T1552.007',
    rationale:
      'A secret referenced by a pod\'s secret or projected volume, or by env/envFrom, is readable by any process ' +
      'in that pod: whoever can run code in the pod has the secret (and, for a legacy token, its service account).',
  },
  reads: ['pods', 'workloads', 'secrets', 'serviceAccounts'],
  *derive(ctx) {
    const emit = function* (from: string, ns: string, spec: PodSpec, owner: string | null) {
      // The pod's own service account is left to RUNS_AS only when its token is mounted anyway: with
      // `automountServiceAccountToken: false` a volume of its legacy token secret is the only way to it.
      const own = ctx.index.tokenMounted(ns, spec, owner) ? ctx.index.saIdOf(ns, spec.serviceAccountName) : null;
      const evidence = [from]; // shared by its edges (edges are read-only)
      for (const name of mountedSecrets(spec)) {
        const id = ctx.index.secretIdOf(ns, name);
        yield { from, to: id, evidence, explanation: `references secret ${ns}/${name}` };
        const holder = ctx.index.tokenHolder.get(id);
        if (holder && holder !== own) {
          yield { from, to: holder, evidence: [from, id], explanation: `mounts ${ns}/${name}, a legacy token of ${holder.slice('ServiceAccount:'.length)}` };
        }
      }
    };
    // Static pods cannot reference secrets (the kubelet refuses them).
    for (const p of ctx.snapshot.pods) if (!isStaticPodOwner(p.owner)) yield* emit(p.id, p.namespace, p.spec, p.owner);
    for (const w of ctx.snapshot.workloads) yield* emit(w.id, w.namespace, w.template, null);
  },
});
