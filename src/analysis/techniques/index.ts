// The technique catalogue: one import per technique, sorted by ID. Nothing registers itself on import.

import type { Technique } from '../technique.js';
import memberOf from './member-of.js';
import nodeCredentials from './node-credentials.js';
import nodeEscape from './node-escape.js';
import podCreate from './pod-create.js';
import rbac from './rbac.js';
import runsAs from './runs-as.js';
import secretMount from './secret-mount.js';
import secretRead from './secret-read.js';

/** Sorted by ID; `registry()` rejects duplicates and unsorted entries. */
export const TECHNIQUES: readonly Technique[] = registry([
  memberOf,
  nodeCredentials,
  nodeEscape,
  podCreate,
  rbac,
  runsAs,
  secretMount,
  secretRead,
]);

export function registry(list: Technique[]): readonly Technique[] {
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const id = list[i].meta.id;
    if (seen.has(id)) throw new Error(`duplicate technique ID ${id}`);
    seen.add(id);
    if (i > 0 && list[i - 1].meta.id > id) throw new Error(`techniques must be listed sorted by ID: ${list[i - 1].meta.id} before ${id}`);
  }
  return Object.freeze([...list]);
}
