// The technique catalogue: one import per technique, sorted by ID. Nothing registers itself on import.

import type { Technique } from '../technique.js';
import cloudIdentity from './cloud-identity.js';
import csrApprove from './csr-approve.js';
import ephemeralContainer from './ephemeral-container.js';
import impersonate from './impersonate.js';
import memberOf from './member-of.js';
import namespacePatch from './namespace-patch.js';
import nodeCredentials from './node-credentials.js';
import nodeEscape from './node-escape.js';
import nodePatch from './node-patch.js';
import nodesProxy from './nodes-proxy.js';
import podCreate from './pod-create.js';
import podExec from './pod-exec.js';
import pvCreate from './pv-create.js';
import rbac from './rbac.js';
import roleBind from './role-bind.js';
import roleEscalate from './role-escalate.js';
import runsAs from './runs-as.js';
import secretMount from './secret-mount.js';
import secretRead from './secret-read.js';
import tokenRequest from './token-request.js';
import tokenSecretCreate from './token-secret-create.js';
import webhookControl from './webhook-control.js';
import workloadPatch from './workload-patch.js';

/** Sorted by ID; `registry()` rejects duplicates and unsorted entries. */
export const TECHNIQUES: readonly Technique[] = registry([
  cloudIdentity,
  csrApprove,
  ephemeralContainer,
  impersonate,
  memberOf,
  namespacePatch,
  nodesProxy,
  nodeCredentials,
  nodeEscape,
  nodePatch,
  podCreate,
  podExec,
  pvCreate,
  rbac,
  roleBind,
  roleEscalate,
  runsAs,
  secretMount,
  secretRead,
  tokenRequest,
  tokenSecretCreate,
  webhookControl,
  workloadPatch,
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
