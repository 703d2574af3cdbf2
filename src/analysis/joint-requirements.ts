// Cheaper `jointReach`: drop grants no subject can combine with the rarest requirement, and reuse answers per grant set.

import type { Grant } from '../rbac/authorizer.js';
import { implicitGroupsOf, type Reach } from './holders.js';

/**
 * Keep, in every requirement, only the grants some subject could combine with the rarest one
 * (say `bind`, when `create pods` is held by thousands). A subject X holds a grant when it names X
 * or one of X's implicit groups, and those groups form one chain per subject (holders.ts), so a
 * grant naming s can meet a holder h of the rarest requirement only if s is h, s is one of h's
 * groups, or h is one of s's groups. `jointReach` then finds exactly the same edges, faster.
 */
export function narrowRequirements(requirements: readonly (readonly Grant[])[]): Grant[][] {
  if (requirements.some((r) => r.length === 0)) return requirements.map(() => []);
  let rarest = 0;
  requirements.forEach((r, i) => {
    if (r.length < requirements[rarest].length) rarest = i;
  });
  const isRelevant = couldCombineWith(requirements[rarest]);
  return requirements.map((r, i) => (i === rarest ? [...r] : r.filter((g) => g.binding.subjects.some(isRelevant))));
}

/**
 * Could a grant naming subject s be held by the same subject as one of `grants`? (See
 * `narrowRequirements`.) For filtering candidates before they are turned into requirements.
 */
export function couldCombineWith(grants: readonly Grant[]): (subject: string) => boolean {
  const holders = new Set<string>();
  for (const g of grants) for (const s of g.binding.subjects) holders.add(s);
  const holderGroups = new Set<string>();
  for (const h of holders) for (const g of implicitGroupsOf(h)) holderGroups.add(g);
  const relevant = new Map<string, boolean>();
  return (s) => {
    let r = relevant.get(s);
    if (r === undefined) relevant.set(s, (r = holders.has(s) || holderGroups.has(s) || implicitGroupsOf(s).some((g) => holders.has(g))));
    return r;
  };
}

/**
 * `jointReach` asks `reach` once per subject, and again for each of its groups; subjects whose
 * grants all come from the same groups ask the same question. Answer each distinct (ordered)
 * set of grants once.
 */
export function memoReach(reach: (held: Grant[][]) => Reach[]): (held: Grant[][]) => Reach[] {
  const ids = new Map<Grant, number>();
  const cache = new Map<string, Reach[]>();
  const idOf = (g: Grant): number => {
    let id = ids.get(g);
    if (id === undefined) ids.set(g, (id = ids.size));
    return id;
  };
  return (held) => {
    const key = held.map((l) => l.map(idOf).join(',')).join('|');
    let r = cache.get(key);
    if (!r) cache.set(key, (r = reach(held)));
    return r;
  };
}
