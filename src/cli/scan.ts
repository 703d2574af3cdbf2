// `rbacgraph scan`: collect a snapshot (live cluster or files), print its ID and a summary, optionally write it to a file.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { ErrorCode, RbacgraphError, UsageError, type Warning } from '../errors.js';
import { toSnapshotFile } from '../snapshot/serialize.js';
import type { CoverageGap, Snapshot } from '../snapshot/types.js';
import { addInputOptions, loadSnapshot, outputFormat, reportWarnings } from './common.js';
import type { CliIO } from './io.js';
import { renderRows, toJson } from './output.js';
import type { LiveOptions } from '../ingest/kube.js';

export const ENVIRONMENTS = ['prod', 'staging', 'dev'] as const;

interface ScanOptions extends LiveOptions {
  out?: string;
  cluster?: string;
  env?: string;
  store?: string;
}

/** Objects per kind, every kind listed (zero included) so that the shape never changes. */
export function kindCounts(s: Snapshot): Record<string, number> {
  const counts: Record<string, number> = {
    ClusterRole: 0, ClusterRoleBinding: 0, ConfigMap: 0, CronJob: 0, DaemonSet: 0, Deployment: 0, Job: 0,
    MutatingWebhookConfiguration: 0, Namespace: 0, NetworkPolicy: 0, Node: 0, PersistentVolume: 0,
    PersistentVolumeClaim: 0, Pod: 0, ReplicaSet: 0, ReplicationController: 0, Role: 0, RoleBinding: 0, Secret: 0,
    ServiceAccount: 0, StatefulSet: 0, ValidatingWebhookConfiguration: 0,
  };
  const bump = (k: string): void => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  counts.Namespace = s.namespaces.length;
  counts.Node = s.nodes.length;
  counts.ServiceAccount = s.serviceAccounts.length;
  counts.Pod = s.pods.length;
  counts.Secret = s.secrets.length;
  counts.PersistentVolume = s.persistentVolumes.length;
  counts.PersistentVolumeClaim = s.persistentVolumeClaims.length;
  counts.NetworkPolicy = s.networkPolicies.length;
  counts.ConfigMap = s.awsAuth ? 1 : 0; // kube-system/aws-auth, the one ConfigMap analysis reads
  for (const w of s.workloads) bump(w.kind);
  for (const r of s.roles) bump(r.kind);
  for (const b of s.bindings) bump(b.kind);
  for (const h of s.webhookConfigurations) bump(h.kind);
  return Object.fromEntries(Object.keys(counts).sort().map((k) => [k, counts[k]]));
}

/** Write a file so that a reader never sees half of it: a temporary file beside it, fsync, rename. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx');
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created or is already renamed
    }
    throw new RbacgraphError(ErrorCode.USAGE, `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

interface Summary {
  snapshot: string;
  cluster: string | null;
  env: string | null;
  source: { type: 'cluster'; server: string; context: string; requests: number; retries: number } | { type: 'files'; inputs: string[] };
  kubernetesVersion: string | null;
  objects: number;
  counts: Record<string, number>;
  coverage: CoverageGap[];
  out: string | null;
  warnings: Warning[];
}

function renderSummary(s: Summary, format: 'table' | 'markdown'): string {
  const src = s.source.type === 'cluster' ? `${s.source.server} (context ${s.source.context})` : s.source.inputs.join(', ');
  const head: string[][] = [
    ['snapshot', s.snapshot],
    ['cluster', `${s.cluster ?? '-'}${s.env ? ` (env ${s.env})` : ''}`],
    ['source', src],
    ['kubernetes', s.kubernetesVersion ?? 'unknown'],
    ['objects', String(s.objects)],
    ['warnings', String(s.warnings.length)],
    ['written to', s.out ?? '- (no --out)'],
  ];
  const parts = [renderRows(format, ['SCAN', ''], head)];
  const rows = Object.entries(s.counts).filter(([, n]) => n > 0).map(([k, n]) => [k, String(n)]);
  parts.push(renderRows(format, ['KIND', 'COUNT'], rows));
  if (s.coverage.length > 0) {
    parts.push(`coverage gaps (answers that depend on these kinds may be incomplete):\n`);
    parts.push(renderRows(format, ['KIND', 'STATUS', 'WHY'], s.coverage.map((g) => [g.kind, g.status, g.message])));
  }
  return parts.join('\n');
}

export function registerScan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('scan')
    .summary('collect a snapshot (live cluster or files) and print its ID and a summary')
    .description(
      'Read a live cluster (--kubeconfig PATH, --context NAME, or --kubeconfig\n' +
        'in-cluster inside a pod) or files (--input), and print the snapshot ID and\n' +
        'a summary: objects per kind, coverage gaps, warnings. The ID is the content\n' +
        'hash: the same objects give the same ID whether read live or from a\n' +
        '`kubectl get -o json` dump. --out FILE writes the snapshot as one JSON file\n' +
        'that --input reads back (collect in the cluster, analyse on a laptop).\n' +
        'Secrets are listed as metadata only: their values never cross the wire.\n' +
        'Kinds the credentials may not list become coverage gaps with a warning;\n' +
        'the scan goes on.\n\n' +
        'Not yet: the history store (--store, snapshots, diff, findings) comes with\n' +
        'the history issue. Until then scan prints the ID and summary and honours\n' +
        '--out, and --store is refused.',
    )
    .option('--out <file>', 'write the snapshot to FILE (JSON, written atomically; never a secret value)')
    .option('--cluster <name>', 'name of the cluster in the summary (default: the kubeconfig cluster name)')
    .addOption(new Option('--env <env>', 'environment of the cluster').choices([...ENVIRONMENTS]))
    .option('--page-size <n>', 'items per list request (live clusters)', '500')
    .option('--request-timeout <duration>', 'overall time limit of a live scan, retries included (30s, 5m; 0 = none)', '5m')
    .option('--store <file>', 'history store (not available yet: refused)');
  addInputOptions(cmd);
  cmd.addHelpText('after', `
Exit codes: 0 scanned (coverage gaps are warnings), 2 usage, input or connection error (or any warning with --strict).

Examples:
  rbacgraph scan --kubeconfig ~/.kube/config --context prod --out prod.json --env prod
  rbacgraph scan --kubeconfig in-cluster --out /data/snapshot.json      # inside the cluster (deploy/)
  rbacgraph scan --input dump.json -o json
  rbacgraph paths --input prod.json                                    # analyse the written snapshot`);
  cmd.action(async (opts: ScanOptions) => {
    const format = outputFormat(opts);
    if (opts.store !== undefined) {
      throw new UsageError('--store: the history store is not available in this build yet (it comes with the history issue); use --out FILE');
    }
    const live = opts.kubeconfig !== undefined || (opts.context !== undefined && opts.input.length === 0);
    let snapshot: Snapshot;
    let warnings: Warning[];
    let source: Summary['source'];
    let clusterName: string | null = opts.cluster ?? null;
    if (live) {
      if (opts.input.length > 0) throw new UsageError('use either --input or --kubeconfig, not both');
      const { collectLive } = await import('../ingest/kube.js');
      const r = await collectLive(opts, io);
      snapshot = r.snapshot;
      warnings = r.warnings;
      source = { type: 'cluster', server: r.server, context: r.context, requests: r.requests, retries: r.retries };
      clusterName ??= r.cluster;
    } else {
      const r = await loadSnapshot(opts, io);
      snapshot = r.snapshot;
      warnings = r.warnings;
      source = { type: 'files', inputs: opts.input };
    }
    if (opts.out !== undefined) writeFileAtomic(opts.out, `${JSON.stringify(toSnapshotFile(snapshot))}\n`);
    const counts = kindCounts(snapshot);
    const summary: Summary = {
      snapshot: snapshot.hash,
      cluster: clusterName,
      env: opts.env ?? null,
      source,
      kubernetesVersion: snapshot.kubernetesVersion,
      objects: Object.values(counts).reduce((a, b) => a + b, 0),
      counts,
      coverage: snapshot.coverage,
      out: opts.out ?? null,
      warnings,
    };
    if (format === 'json') io.stdout(toJson(summary));
    else io.stdout(renderSummary(summary, format));
    setExit(reportWarnings(warnings, opts, io, 0));
  });
}
