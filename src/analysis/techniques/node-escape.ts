// NODE_ESCAPE: pod specs that give root on the node they run on.

import type { PodSpec } from '../../snapshot/types.js';
import type { SnapshotIndex } from '../context.js';
import { defineTechnique } from '../technique.js';

/** Capabilities that break out of the container on their own. */
const ESCAPE_CAPABILITIES = new Set(['SYS_ADMIN', 'SYS_MODULE', 'DAC_READ_SEARCH', 'ALL']);
/** Container runtime sockets: connect() needs no write mount, so even a read-only mount is root. */
const RUNTIME_SOCKETS = ['/run/k3s/containerd/containerd.sock', '/var/run/docker.sock', '/run/docker.sock', '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock', '/var/run/crio/crio.sock', '/run/crio/crio.sock', '/var/run/cri-dockerd.sock', '/run/cri-dockerd.sock'];
/** Read-only mounts that expose the node's credentials or every pod's token. */
const READ_ONLY_SENSITIVE = ['/', '/etc/kubernetes', '/var/lib/kubelet', '/var/lib/kubelet/pods'];
/**
 * The credential files inside those trees: a read-only mount of one of them (or below) is the node's
 * identity, or more (kubeadm's CA key and admin.conf), just as a mount of the whole tree is
 * (interface.md section 4: a read-only hostPath counts when "it exposes the node's credentials").
 */
const READ_ONLY_CREDENTIALS = [
  '/var/lib/kubelet/pki', '/var/lib/kubelet/kubeconfig', '/etc/kubernetes/pki', '/etc/kubernetes/kubelet.conf',
  '/etc/kubernetes/bootstrap-kubelet.conf', '/etc/kubernetes/admin.conf', '/etc/kubernetes/super-admin.conf',
  '/etc/kubernetes/controller-manager.conf', '/etc/kubernetes/scheduler.conf',
];
/**
 * Writable mounts of these trees (or their ancestors) give root on the host. `/opt/cni` holds the CNI
 * plugins the runtime executes as root for every new pod; `/var/spool/cron` holds root's crontabs.
 */
const WRITABLE_SENSITIVE = ['/etc', '/root', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/var/run', '/run', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/boot', '/dev', '/proc', '/sys', '/var/log', '/home', '/opt/cni', '/var/spool/cron'];

export function normalizePath(p: string): string {
  const parts = p.split('/').filter((x) => x && x !== '.');
  return `/${parts.join('/')}`;
}

const isUnder = (path: string, root: string): boolean => path === root || root === '/' || path.startsWith(`${root}/`);

/** Why a pod spec gives root on its node; empty when it does not. */
export function escapeReasons(spec: PodSpec, ns: string, ix: SnapshotIndex): string[] {
  const reasons: string[] = [];
  for (const c of spec.containers) {
    if (c.privileged) reasons.push(`container ${c.name} is privileged`);
    for (const cap of c.capabilitiesAdd) {
      if (ESCAPE_CAPABILITIES.has(cap)) reasons.push(`container ${c.name} adds capability ${cap}`);
      else if (cap === 'SYS_PTRACE' && spec.hostPID) reasons.push(`container ${c.name} adds SYS_PTRACE with hostPID`);
    }
  }
  for (const v of spec.volumes) {
    if (!v.hostPath && !v.persistentVolumeClaim) continue;
    // Mounted by some container? Read-only only if every mount of it is.
    let mounted = false;
    let readOnly = true;
    for (const c of spec.containers) {
      for (const m of c.volumeMounts) {
        if (m.name !== v.name) continue;
        mounted = true;
        if (!m.readOnly) readOnly = false;
      }
    }
    if (!mounted) continue;
    if (v.hostPath) {
      const path = normalizePath(v.hostPath.path);
      if (RUNTIME_SOCKETS.some((s) => isUnder(s, path))) reasons.push(`hostPath ${path} exposes the container runtime socket`);
      else if (readOnly
        ? READ_ONLY_SENSITIVE.includes(path) || READ_ONLY_SENSITIVE.some((s) => s !== '/' && isUnder(s, path)) || READ_ONLY_CREDENTIALS.some((s) => isUnder(path, s))
        : WRITABLE_SENSITIVE.some((s) => isUnder(path, s) || isUnder(s, path))) {
        reasons.push(`${readOnly ? 'read-only' : 'writable'} hostPath ${path}`);
      }
    }
    if (v.persistentVolumeClaim && ix.isHostPathClaim(ns, v.persistentVolumeClaim)) {
      reasons.push(`claim ${v.persistentVolumeClaim} is bound to a hostPath PersistentVolume`);
    }
  }
  return reasons.length < 2 ? reasons : [...new Set(reasons)];
}

export default defineTechnique({
  meta: {
    id: 'NODE_ESCAPE',
    title: 'Escape from a pod to its node',
    severity: 'critical',
    mitre: 'T1611',
    rationale:
      'A privileged container, a dangerous capability (SYS_ADMIN, SYS_MODULE, DAC_READ_SEARCH, SYS_PTRACE with ' +
      'hostPID), a writable hostPath into the host\'s system trees, a read-only hostPath of /, /etc/kubernetes or ' +
      '/var/lib/kubelet[/pods] or of a credential file in them (node credentials and every pod\'s token), a ' +
      'container runtime socket (read-only too: connect() needs no write), or a claim bound to a hostPath ' +
      'PersistentVolume gives root on the node. ' +
      'hostNetwork, hostIPC or hostPID alone do not.',
  },
  reads: ['pods', 'workloads', 'persistentVolumes', 'persistentVolumeClaims'],
  *derive(ctx) {
    for (const p of ctx.snapshot.pods) {
      const reasons = escapeReasons(p.spec, p.namespace, ctx.index);
      if (reasons.length > 0) yield { from: p.id, to: ctx.index.nodeOf(p.spec), evidence: [p.id], explanation: reasons.join('; ') };
    }
    for (const w of ctx.snapshot.workloads) {
      const reasons = escapeReasons(w.template, w.namespace, ctx.index);
      if (reasons.length > 0) yield { from: w.id, to: ctx.index.nodeOf(w.template), evidence: [w.id], explanation: reasons.join('; ') };
    }
  },
});
