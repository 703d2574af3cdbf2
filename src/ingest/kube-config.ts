// Which cluster and credentials: a kubeconfig file, a context, kubectl's default rules, or the pod's own account.

import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ErrorCode, RbacgraphError, UsageError } from '../errors.js';

/** `--kubeconfig in-cluster`: the service account of the pod rbacgraph runs in. */
export const IN_CLUSTER = 'in-cluster';
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ClusterSelection {
  /** A kubeconfig path, `in-cluster`, or undefined for kubectl's default rules. */
  kubeconfig?: string;
  context?: string;
  env: Record<string, string | undefined>;
  /** Where the pod's token and CA are mounted (tests point it elsewhere). */
  serviceAccountDir?: string;
}

export interface ResolvedCluster {
  kc: KubeConfig;
  server: string;
  /** The context used (`in-cluster` inside a pod). */
  context: string;
  /** The kubeconfig's cluster name, the default name of a scan's cluster. */
  cluster: string;
  inCluster: boolean;
}

/**
 * Resolve as kubectl does: an explicit file; else $KUBECONFIG (a list, merged, first wins);
 * else ~/.kube/config; else the in-cluster account when running in a pod.
 */
export function resolveCluster(sel: ClusterSelection): ResolvedCluster {
  const kc = new KubeConfig();
  let inCluster = false;
  const load = (file: string): void => {
    if (!existsSync(file)) throw new RbacgraphError(ErrorCode.INPUT_NOT_FOUND, `kubeconfig not found: ${file}`);
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new RbacgraphError(ErrorCode.INPUT_PARSE, `kubeconfig ${file} cannot be read: ${firstLine(e)}`);
    }
  };
  if (sel.kubeconfig === IN_CLUSTER) {
    loadInCluster(kc, sel);
    inCluster = true;
  } else if (sel.kubeconfig !== undefined) {
    if (sel.kubeconfig === '') throw new UsageError('--kubeconfig needs a path (or "in-cluster")');
    load(sel.kubeconfig);
  } else {
    const list = (sel.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f);
    const home = sel.env.HOME ?? sel.env.USERPROFILE;
    const homeConfig = home ? join(home, '.kube', 'config') : null;
    if (list.length > 0) {
      const present = list.filter((f) => existsSync(f));
      if (present.length === 0) throw new RbacgraphError(ErrorCode.INPUT_NOT_FOUND, `no file of $KUBECONFIG exists (${list.join(delimiter)})`);
      load(present[0]);
      for (const f of present.slice(1)) {
        const more = new KubeConfig();
        try {
          more.loadFromFile(f);
        } catch (e) {
          throw new RbacgraphError(ErrorCode.INPUT_PARSE, `kubeconfig ${f} cannot be read: ${firstLine(e)}`);
        }
        // kubectl: the first file to set a value wins, so later files never override.
        mergeMissing(kc, more);
      }
    } else if (homeConfig && existsSync(homeConfig)) {
      load(homeConfig);
    } else if (sel.env.KUBERNETES_SERVICE_HOST) {
      loadInCluster(kc, sel);
      inCluster = true;
    } else {
      throw new UsageError('no kubeconfig: pass --kubeconfig PATH, set $KUBECONFIG, create ~/.kube/config, or run in a pod with --kubeconfig in-cluster');
    }
  }
  if (sel.context !== undefined) {
    if (!kc.getContextObject(sel.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new UsageError(`context "${sel.context}" is not in the kubeconfig${names.length ? ` (contexts: ${names.join(', ')})` : ''}`);
    }
    kc.setCurrentContext(sel.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!kc.getCurrentContext() || !cluster) {
    throw new UsageError('the kubeconfig has no current context with a cluster: pass --context NAME');
  }
  if (!cluster.server) throw new UsageError(`cluster "${cluster.name}" in the kubeconfig has no server address`);
  return { kc, server: cluster.server.replace(/\/+$/, ''), context: kc.getCurrentContext(), cluster: cluster.name, inCluster };
}

/**
 * The YAML parser's message quotes the lines around the error, and a kubeconfig's lines hold
 * tokens and keys: keep only the first line (the reason and position).
 */
function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

function mergeMissing(into: KubeConfig, from: KubeConfig): void {
  for (const c of from.getClusters()) if (!into.getCluster(c.name)) into.addCluster(c);
  for (const u of from.getUsers()) if (!into.getUser(u.name)) into.addUser(u);
  for (const x of from.getContexts()) if (!into.getContextObject(x.name)) into.addContext(x);
  if (!into.getCurrentContext() && from.getCurrentContext()) into.setCurrentContext(from.getCurrentContext());
}

/** The pod's service account: the API server address from the environment, token and CA from the mount. */
function loadInCluster(kc: KubeConfig, sel: ClusterSelection): void {
  const host = sel.env.KUBERNETES_SERVICE_HOST;
  const port = sel.env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new UsageError('--kubeconfig in-cluster: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)');
  const dir = sel.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) {
    throw new RbacgraphError(ErrorCode.INPUT_NOT_FOUND, `--kubeconfig in-cluster: no service account token at ${tokenFile} (is automountServiceAccountToken off?)`);
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: `https://${hostPart}:${port}`, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    // The token file is re-read every minute: projected tokens rotate.
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: IN_CLUSTER, cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: IN_CLUSTER,
  });
}
