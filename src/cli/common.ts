// What every command shares: input options, loading a snapshot, warnings on stderr and in JSON.

import { Command, Option } from 'commander';
import { formatWarning, UsageError, type Warning } from '../errors.js';
import { ingestPaths } from '../ingest/files.js';
import { RbacIndex } from '../rbac/authorizer.js';
import type { Snapshot } from '../snapshot/types.js';
import type { CliIO } from './io.js';
import { parseOutputFormat, type OutputFormat } from './output.js';

export interface InputOptions {
  input: string[];
  kubeconfig?: string;
  context?: string;
  defaultNamespace: string;
  strict?: boolean;
  skipSecrets?: boolean;
  kubernetesVersion?: string;
  output?: string;
  requestTimeout?: string;
}

export interface Loaded {
  snapshot: Snapshot;
  index: RbacIndex;
  /** Input and semantic warnings, in the order found. */
  warnings: Warning[];
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The input options every analysis command takes (interface.md section 2). */
export function addInputOptions(cmd: Command, opts: { outputs?: string[] } = {}): Command {
  const formats = ['json', 'table', 'markdown', ...(opts.outputs ?? [])].join('|');
  return cmd
    .option('--input <path>', 'file or folder of manifests / kubectl dumps (repeatable; - for stdin)', collect, [])
    .option('--kubeconfig <path>', 'read the live cluster through this kubeconfig instead of files')
    .option('--context <name>', 'kubeconfig context to use (with --kubeconfig)')
    .option('--default-namespace <ns>', 'namespace for namespaced objects that name none', 'default')
    .option('--skip-secrets', 'ignore Secret objects (reachability then covers only secrets pods reference)')
    .option('--kubernetes-version <v>', 'cluster version, e.g. 1.35 (pods/exec accepts get before 1.35)')
    .option('--strict', 'treat any warning as an error (exit code 2)')
    .addOption(new Option('-o, --output <format>', `output format: ${formats}`).default('table'));
}

export type LiveLoader = (opts: InputOptions, io: CliIO) => Promise<{ snapshot: Snapshot; warnings: Warning[] }>;

let liveLoader: LiveLoader | null = null;
/** The live-cluster collector registers itself here (kept out of the file path's imports). */
export function setLiveLoader(l: LiveLoader): void {
  liveLoader = l;
}

export async function loadSnapshot(opts: InputOptions, io: CliIO): Promise<{ snapshot: Snapshot; warnings: Warning[] }> {
  if (opts.kubeconfig !== undefined || (opts.context !== undefined && opts.input.length === 0)) {
    if (opts.input.length > 0) throw new UsageError('use either --input or --kubeconfig, not both');
    if (!liveLoader) {
      const mod = await import('../ingest/kube.js');
      liveLoader = mod.liveLoader;
    }
    return liveLoader!(opts, io);
  }
  if (opts.input.length === 0) throw new UsageError('no input: pass --input PATH (a file, a folder or - for stdin) or --kubeconfig PATH');
  const r = ingestPaths(opts.input, { defaultNamespace: opts.defaultNamespace, skipSecrets: opts.skipSecrets, stdin: io.stdin });
  return { snapshot: r.snapshot, warnings: r.warnings };
}

export async function load(opts: InputOptions, io: CliIO): Promise<Loaded> {
  const { snapshot, warnings } = await loadSnapshot(opts, io);
  return indexSnapshot(snapshot, warnings, opts.kubernetesVersion);
}

/**
 * The RBAC index who-can and can-i answer from, with the input's warnings and its own. A fresh
 * index: an analysis's index also holds the pseudo-identities of its virtual grants.
 */
export function indexSnapshot(snapshot: Snapshot, inputWarnings: readonly Warning[], kubernetesVersion?: string | null): Loaded {
  const index = new RbacIndex(snapshot, { kubernetesVersion: kubernetesVersion ?? snapshot.kubernetesVersion });
  return { snapshot, index, warnings: [...inputWarnings, ...index.warnings] };
}

export function outputFormat(opts: InputOptions, extra: string[] = []): OutputFormat {
  return parseOutputFormat(opts.output, extra);
}

/** Print warnings on stderr; with --strict any warning makes the exit code 2. */
export function reportWarnings(warnings: Warning[], opts: { strict?: boolean }, io: CliIO, exitCode: number): number {
  for (const w of warnings) io.stderr(`${formatWarning(w)}\n`);
  if (opts.strict && warnings.length > 0) return 2;
  return exitCode;
}
