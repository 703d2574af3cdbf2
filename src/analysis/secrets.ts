// Secret exposure: for every secret, how many non-system subjects can obtain it by any chain.

import { CLUSTER_ADMIN, compareIds } from '../ids.js';
import type { BuiltGraph } from '../graph/build.js';
import type { Snapshot } from '../snapshot/types.js';

export interface SecretExposure {
  secret: string;
  /** Non-system subjects that can obtain it (any number of steps). */
  readers: number;
  /** Of those, how many reach cluster-admin (and so every secret). */
  viaClusterAdmin: number;
}

interface Reach {
  all: boolean;
  namespaces: Set<string>;
  secrets: Set<number>;
}

const AGG_SECRETS = 'Agg:secrets:';

/**
 * One forward search per start would revisit shared regions thousands of times, so: starts that
 * reach cluster-admin read every secret (one reverse search finds them); whole-namespace access
 * is counted once per namespace (the `Agg:secrets:<ns>` node) rather than per secret; and each
 * group's reach is computed once and reused by its members. Counts use reachability without a hop
 * limit (secret-access applies --max-hops to the paths it prints).
 */
export function rankSecrets(built: BuiltGraph, starts: readonly string[], snapshot: Snapshot): SecretExposure[] {
  const g = built.compiled;
  const n = g.nodeCount;
  const adminIdx = g.indexOf.get(CLUSTER_ADMIN);
  const adminDist = adminIdx === undefined ? new Int32Array(n).fill(-1) : g.distancesTo([adminIdx]);
  // Two visit-stamp arrays: one for a start's search, one for the group searches it triggers.
  const stamps = [new Int32Array(n), new Int32Array(n)];
  const gens = [0, 0];
  const groupMemo = new Map<number, Reach>();

  const reachFrom = (start: number, level: 0 | 1): Reach => {
    const stamp = stamps[level];
    const gen = ++gens[level];
    const r: Reach = { all: false, namespaces: new Set(), secrets: new Set() };
    const stack = [start];
    stamp[start] = gen;
    while (stack.length > 0 && !r.all) {
      const v = stack.pop()!;
      const id = g.ids[v];
      if (v !== start && level === 0 && id.startsWith('Group:')) {
        let m = groupMemo.get(v);
        if (!m) groupMemo.set(v, (m = reachFrom(v, 1)));
        if (m.all) r.all = true;
        for (const ns of m.namespaces) r.namespaces.add(ns);
        for (const x of m.secrets) r.secrets.add(x);
        continue;
      }
      let skipSecretMembers = false;
      if (id.startsWith(AGG_SECRETS)) {
        const ns = id.slice(AGG_SECRETS.length);
        if (ns === '*') {
          r.all = true;
          break;
        }
        r.namespaces.add(ns);
        skipSecretMembers = true;
      } else if (id.startsWith('Secret:')) {
        r.secrets.add(v);
      } else if (v === adminIdx) {
        r.all = true;
        break;
      }
      for (let k = g.outStart[v]; k < g.outStart[v + 1]; k++) {
        const w = g.edgeDst[g.outEdges[k]];
        if (stamp[w] === gen) continue;
        if (skipSecretMembers && g.ids[w].startsWith('Secret:')) continue;
        stamp[w] = gen;
        stack.push(w);
      }
    }
    return r;
  };

  let all = 0;
  let admins = 0;
  const perNs = new Map<string, number>();
  const perSecret = new Map<number, number>();
  for (const s of starts) {
    const si = g.indexOf.get(s);
    if (si === undefined) continue;
    if (adminDist[si] >= 0) {
      all++;
      admins++;
      continue;
    }
    const r = reachFrom(si, 0);
    if (r.all) {
      all++;
      continue;
    }
    for (const ns of r.namespaces) perNs.set(ns, (perNs.get(ns) ?? 0) + 1);
    for (const sec of r.secrets) {
      const id = g.ids[sec];
      const ns = id.slice('Secret:'.length, id.indexOf('/'));
      if (r.namespaces.has(ns)) continue;
      perSecret.set(sec, (perSecret.get(sec) ?? 0) + 1);
    }
  }
  const out: SecretExposure[] = snapshot.secrets.map((sec) => {
    const i = g.indexOf.get(sec.id);
    const ind = i === undefined ? 0 : perSecret.get(i) ?? 0;
    return { secret: sec.id, readers: all + (perNs.get(sec.namespace) ?? 0) + ind, viaClusterAdmin: admins };
  });
  out.sort((a, b) => b.readers - a.readers || compareIds(a.secret, b.secret));
  return out;
}
