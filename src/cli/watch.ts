// `rbacgraph watch`: keep a live cluster's snapshot current and print each meaningful change of the attack graph as a JSON line.

import { Command, Option } from 'commander';
import { formatWarning, UsageError } from '../errors.js';
import type { ClusterWatcher } from '../ingest/kube-watch.js';
import type { DriftEvent, DriftState } from '../ingest/kube-drift.js';
import type { Snapshot } from '../snapshot/types.js';
import { untilStopped, type CliIO } from './io.js';
import { positiveInt } from './paths.js';

export interface LiveWatchOptions {
  kubeconfig?: string;
  context?: string;
  skipSecrets?: boolean;
  defaultNamespace?: string;
  kubernetesVersion?: string;
  pageSize?: string;
  requestTimeout?: string;
  debounce?: string;
  maxHops?: string;
  includeSystem?: boolean;
  exactSecretLimit?: string;
}

/** What the watch emits: the drift events, plus one `synced` line when the first snapshot is analysed. */
export type WatchOutput =
  | { event: 'synced'; snapshot: string; kubernetesVersion: string | null; objects: number; pathsToClusterAdmin: number; coverage: unknown[]; time: string }
  | (DriftEvent & { time: string });

/** How many objects a snapshot holds (the `objects` of a synced event). */
export function snapshotObjectCount(snapshot: Snapshot): number {
  return snapshot.namespaces.length + snapshot.nodes.length + snapshot.serviceAccounts.length + snapshot.pods.length +
    snapshot.workloads.length + snapshot.secrets.length + snapshot.roles.length + snapshot.bindings.length +
    snapshot.persistentVolumes.length + snapshot.persistentVolumeClaims.length + snapshot.webhookConfigurations.length +
    snapshot.networkPolicies.length + (snapshot.awsAuth ? 1 : 0);
}

export interface LiveWatch {
  watcher: ClusterWatcher;
  /** The latest analysed state (null until the initial sync). */
  state: () => DriftState | null;
  stop: () => Promise<void>;
}

/** What `serve --watch` needs beyond the events: each analysed state, before its events are emitted. */
export interface LiveWatchHooks {
  /** A new analysed state (the initial one too), with how long its analysis and comparison took. */
  onState?: (state: DriftState, info: { initial: boolean; analysisMs: number }) => void;
}

/**
 * Start watching a live cluster: informers keep the snapshot current, each batch is analysed
 * incrementally, and each meaningful change goes to onEvent (after hooks.onState has seen the
 * state it belongs to). Shared by `watch` and `serve --watch`.
 */
export async function startLiveWatch(opts: LiveWatchOptions, io: CliIO, onEvent: (e: WatchOutput) => void, hooks: LiveWatchHooks = {}): Promise<LiveWatch> {
  const { resolveCluster } = await import('../ingest/kube-config.js');
  const { ClusterWatcher } = await import('../ingest/kube-watch.js');
  const { driftEvents, driftState } = await import('../ingest/kube-drift.js');
  const { parseDuration, parsePageSize } = await import('../ingest/kube.js');
  const cluster = resolveCluster({ kubeconfig: opts.kubeconfig, context: opts.context, env: io.env });
  const debounceMs = opts.debounce !== undefined ? parseDuration(opts.debounce, '--debounce') : 200;
  if (!Number.isFinite(debounceMs)) throw new UsageError('--debounce must be more than 0');
  const listTimeoutMs = opts.requestTimeout !== undefined ? parseDuration(opts.requestTimeout, '--request-timeout') : undefined;
  const maxHops = opts.maxHops !== undefined ? positiveInt(opts.maxHops, '--max-hops') : undefined;
  const exactSecretLimit = opts.exactSecretLimit !== undefined ? Number(opts.exactSecretLimit) : undefined;
  if (exactSecretLimit !== undefined && !(Number.isInteger(exactSecretLimit) && exactSecretLimit >= 0)) {
    throw new UsageError(`--exact-secret-limit must be a whole number, not "${opts.exactSecretLimit}"`);
  }
  const driftOpts = { maxHops, includeSystem: opts.includeSystem, exactSecretLimit, kubernetesVersion: opts.kubernetesVersion };
  let state: DriftState | null = null;
  const now = (): string => new Date().toISOString();
  const watcher = new ClusterWatcher({
    cluster,
    skipSecrets: opts.skipSecrets === true,
    defaultNamespace: opts.defaultNamespace,
    pageSize: parsePageSize(opts.pageSize),
    listTimeoutMs,
    debounceMs,
    onWarning: (w) => io.stderr(`${formatWarning(w)}\n`),
    onSnapshot: (snapshot, { initial }) => {
      if (state && snapshot.hash === state.snapshot.hash) return;
      const t0 = performance.now();
      let next: DriftState;
      try {
        next = driftState(snapshot, state, driftOpts);
      } catch (e) {
        // One bad batch must not end the watch: report it and compare the next batch with the last good one.
        io.stderr(`rbacgraph watch: analysis of snapshot ${snapshot.hash} failed: ${(e as Error).message}\n`);
        return;
      }
      const first = initial || !state;
      const events: WatchOutput[] = [];
      if (first) {
        events.push({
          event: 'synced',
          snapshot: snapshot.hash,
          kubernetesVersion: snapshot.kubernetesVersion,
          objects: snapshotObjectCount(snapshot),
          pathsToClusterAdmin: next.adminPaths.size,
          coverage: snapshot.coverage,
          time: now(),
        });
      } else {
        for (const e of driftEvents(state!, next, driftOpts)) events.push({ ...e, time: now() });
      }
      state = next;
      hooks.onState?.(next, { initial: first, analysisMs: performance.now() - t0 });
      for (const e of events) onEvent(e);
    },
  });
  await watcher.start();
  return { watcher, state: () => state, stop: () => watcher.stop() };
}

export function registerWatch(program: Command, io: CliIO, setExit: (code: number) => void, runOpts: { signal?: AbortSignal } = {}): void {
  const cmd = program
    .command('watch')
    .summary('watch a live cluster and print each change of its attack paths as a JSON line')
    .description(
      'Keep a live snapshot of the cluster (a list-then-watch informer per kind,\n' +
        'relisting after 410 Gone), re-analyse each batch of changes incrementally,\n' +
        'and print one JSON line per meaningful change:\n' +
        '  path-added             a new path to cluster-admin (with the path)\n' +
        '  path-removed           a path to cluster-admin that is gone\n' +
        '  path-changed           still a path, now a different shortest one\n' +
        '  secret-reader-added    a new reader of a secret (with its path)\n' +
        '  secret-reader-removed  a reader that lost access to a secret\n' +
        'e.g. {"event":"path-added","target":"cluster-admin","from":"ServiceAccount:\n' +
        'dev/ci","path":{...},"snapshot":"sha256:...","time":"..."}. The first line\n' +
        'is {"event":"synced",...} once the initial lists are analysed. Subjects\n' +
        'that reach cluster-admin read every secret: their path events say so, not\n' +
        'one event per secret. Warnings (coverage gaps) go to stderr. Runs until\n' +
        'interrupted (SIGINT or SIGTERM).',
    )
    .option('--kubeconfig <path>', 'kubeconfig file, or "in-cluster" for the pod\'s own service account')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--skip-secrets', 'do not list or watch secrets (reachability then covers only secrets pods reference)')
    .option('--default-namespace <ns>', 'namespace for namespaced objects that name none', 'default')
    .option('--kubernetes-version <v>', 'cluster version for the analysis (default: the server\'s /version)')
    .option('--debounce <duration>', 'quiet time before a batch of changes is analysed', '200ms')
    .option('--page-size <n>', 'items per list request', '500')
    .option('--request-timeout <duration>', 'time limit of each (re)list, retries included (30s, 5m; 0 = none)', '5m')
    .option('--max-hops <n>', 'longest path to consider', '8')
    .option('--include-system', 'also track control-plane identities')
    .addOption(new Option('--exact-secret-limit <n>', 'compare every secret\'s readers up to this many secrets; above, only secrets whose reader count changed').default('500'));
  cmd.addHelpText('after', `
Exit codes: 0 stopped by a signal, 2 usage error or the cluster cannot be reached at start.
Once running, connection failures are retried; they never end the watch.

Examples:
  rbacgraph watch --kubeconfig ~/.kube/config --context prod
  rbacgraph watch --kubeconfig in-cluster | jq -c 'select(.event == "path-added")'`);
  cmd.action(async (opts: LiveWatchOptions) => {
    const live = await startLiveWatch(opts, io, (e) => io.stdout(`${JSON.stringify(e)}\n`));
    await untilStopped(runOpts.signal);
    await live.stop();
    setExit(0);
  });
}
