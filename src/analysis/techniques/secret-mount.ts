// SECRET_MOUNT: a pod holds the secrets its volumes, projected volumes and environment reference.

import type { PodSpec } from '../../snapshot/types.js';
import { isStaticPodOwner } from '../context.js';
import { defineTechnique, LazyEdge } from '../technique.js';

const NONE: readonly string[] = [];

/**
 * Secrets a container of the pod can read: secret and projected volumes, env and envFrom
 * references (sorted, each once; read-only). A spec names a few: a list is cheaper than a set, and
 * working it out again is cheaper than looking it up in a cache.
 */
export function mountedSecrets(spec: PodSpec): readonly string[] {
  let names: string[] | null = null;
  for (const v of spec.volumes) for (const s of v.secrets) names = addOnce(names, s);
  for (const c of spec.containers) for (const s of c.envSecrets) names = addOnce(names, s);
  if (!names) return NONE;
  if (names.length > 1) names.sort();
  return names;
}

function addOnce(names: string[] | null, name: string): string[] {
  if (!names) return [name];
  if (!names.includes(name)) names.push(name);
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
        yield new LazyEdge(from, id, evidence, references, ns, name);
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

const references = (ns: string, name: string): string => `references secret ${ns}/${name}`;
