// `rbacgraph paths` and `rbacgraph secret-access`: shortest explained escalation paths.

import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { CLUSTER_ADMIN, parseId, secretId } from '../ids.js';
import { analyze } from '../analysis/analyze.js';
import { DEFAULT_MAX_HOPS, type AttackPath, type PathStep } from '../analysis/paths.js';
import { canonicalSubjectId } from '../rbac/subjects.js';
import { addInputOptions, loadSnapshot, outputFormat, reportWarnings, type InputOptions } from './common.js';
import type { CliIO } from './io.js';
import { toJson, type OutputFormat } from './output.js';

interface PathsOptions extends InputOptions {
  from: string[];
  to: string;
  maxHops: string;
  limit: string;
  includeSystem?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function positiveInt(v: string, name: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name} must be a whole number of at least 1, not "${v}"`);
  return Number(v);
}

function subjectArg(v: string): string {
  const id = canonicalSubjectId(v);
  const p = parseId(id);
  if (!p || !['User', 'Group', 'ServiceAccount', 'Node'].includes(p.kind)) throw new UsageError(`--from needs a subject ID, not "${v}"`);
  return id;
}

/** Render paths as text: one header line per path, then its steps. */
export function renderPathsText(paths: { from: string; to: string; length: number; steps: PathStep[] }[], format: OutputFormat): string {
  if (paths.length === 0) return 'no paths found\n';
  const out: string[] = [];
  for (const p of paths) {
    if (format === 'markdown') {
      out.push(`### ${p.from} → ${p.to} (${p.length} step${p.length === 1 ? '' : 's'})`, '');
      p.steps.forEach((s, i) => {
        out.push(`${i + 1}. \`${s.technique}\` ${s.from} → ${s.to}: ${s.explanation}${s.evidence.length ? ` (evidence: ${s.evidence.join(', ')})` : ''}`);
      });
      out.push('');
    } else {
      out.push(`${p.from} -> ${p.to}  [${p.length} step${p.length === 1 ? '' : 's'}]`);
      for (const s of p.steps) {
        out.push(`  ${s.technique.padEnd(20)} ${s.from} -> ${s.to}`);
        out.push(`  ${''.padEnd(20)} ${s.explanation}${s.evidence.length ? ` [${s.evidence.join(', ')}]` : ''}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

export function registerPaths(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('paths')
    .summary('shortest explained escalation paths to cluster-admin, a node, a secret or an identity')
    .description(
      'Find the shortest chains of techniques by which subjects reach a target, each step explained with\n' +
        'the objects that make it true. TARGET: cluster-admin (default: full control, decided by permissions,\n' +
        'never by a role name), nodes (root on any node), Node:NAME, Secret:NS/NAME, or a subject ID\n' +
        '(becoming that identity). Without --from, every subject in the input is a start, except control-plane\n' +
        'identities (system:kube-*, nodes, system:masters, bootstrap controllers) unless --include-system.\n' +
        'Length counts steps except MEMBER_OF and RUNS_AS. Finding no path is not an error (exit 0).',
    )
    .option('--from <subject>', 'start from this subject (repeatable): User:alice, ServiceAccount:ns/sa, Group:g', collect, [])
    .option('--to <target>', 'cluster-admin | nodes | Node:NAME | Secret:NS/NAME | a subject ID', CLUSTER_ADMIN)
    .option('--max-hops <n>', 'longest path to report', String(DEFAULT_MAX_HOPS))
    .option('--limit <n>', 'paths per start, shortest first', '1')
    .option('--include-system', 'also start from control-plane identities');
  addInputOptions(cmd);
  cmd.addHelpText('after', `
Examples:
  rbacgraph paths --input fixtures/demo
  rbacgraph paths --from ServiceAccount:ci/deployer --to cluster-admin --limit 3 --input fixtures/demo -o json
  rbacgraph paths --to nodes --input dump.json
  rbacgraph paths --to Secret:payments/stripe-api-key --input fixtures/demo`);
  cmd.action(async (opts: PathsOptions) => {
    const format = outputFormat(opts);
    const maxHops = positiveInt(opts.maxHops, '--max-hops');
    const limit = positiveInt(opts.limit, '--limit');
    const from = opts.from.map(subjectArg);
    const { snapshot, warnings: inputWarnings } = await loadSnapshot(opts, io);
    const a = analyze(snapshot, { kubernetesVersion: opts.kubernetesVersion });
    const r = a.paths({ from, to: opts.to, maxHops, limit, includeSystem: opts.includeSystem });
    const warnings = [...inputWarnings, ...a.warnings, ...r.warnings];
    for (const f of from) if (!a.hasNode(f)) warnings.push({ code: 'UNKNOWN_SUBJECT', file: null, line: null, message: `${f} does not appear in the input` });
    if (format === 'json') io.stdout(toJson({ paths: r.paths, warnings }));
    else io.stdout(renderPathsText(r.paths, format));
    setExit(reportWarnings(warnings, opts, io, 0));
  });
}

interface SecretAccessOptions extends InputOptions {
  maxHops: string;
  includeSystem?: boolean;
}

export function registerSecretAccess(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('secret-access')
    .summary('every subject that can obtain a secret, directly or through any chain')
    .description(
      'List every subject that can obtain the contents of one secret, directly (get/list/watch, a mount,\n' +
        'a node) or through any chain of techniques, each with its shortest path (same steps as `paths`).',
    )
    .argument('<secret>', 'NS/NAME (or Secret:NS/NAME)')
    .option('--max-hops <n>', 'longest path to report', String(DEFAULT_MAX_HOPS))
    .option('--include-system', 'also list control-plane identities');
  addInputOptions(cmd);
  cmd.addHelpText('after', `
Examples:
  rbacgraph secret-access payments/stripe-api-key --input fixtures/demo
  rbacgraph secret-access kube-system/admin-token --input dump.json -o json`);
  cmd.action(async (secret: string, opts: SecretAccessOptions) => {
    const format = outputFormat(opts);
    const maxHops = positiveInt(opts.maxHops, '--max-hops');
    const bare = secret.startsWith('Secret:') ? secret.slice('Secret:'.length) : secret;
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec(bare);
    if (!m) throw new UsageError(`secret must be NS/NAME, not "${secret}"`);
    const id = secretId(m[1], m[2]);
    const { snapshot, warnings: inputWarnings } = await loadSnapshot(opts, io);
    const a = analyze(snapshot, { kubernetesVersion: opts.kubernetesVersion });
    const r = a.paths({ to: id, maxHops, includeSystem: opts.includeSystem });
    const warnings = [...inputWarnings, ...a.warnings, ...r.warnings];
    const readers = r.paths.map((p: AttackPath) => ({ subject: p.from, length: p.length, steps: p.steps }));
    if (format === 'json') io.stdout(toJson({ secret: id, readers, warnings }));
    else io.stdout(renderPathsText(r.paths, format));
    setExit(reportWarnings(warnings, opts, io, 0));
  });
}
