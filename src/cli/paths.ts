// `rbacgraph paths` and `rbacgraph secret-access`: shortest explained escalation paths.

import { Command } from 'commander';
import { UsageError, type Warning } from '../errors.js';
import { CLUSTER_ADMIN, parseId, secretId } from '../ids.js';
import { analyze, type Analysis } from '../analysis/analyze.js';
import { DEFAULT_MAX_HOPS, type AttackPath, type PathStep } from '../analysis/paths.js';
import { canonicalSubjectId } from '../rbac/subjects.js';
import { addInputOptions, loadSnapshot, outputFormat, reportWarnings, type InputOptions } from './common.js';
import type { CliIO } from './io.js';
import { toJson, type OutputFormat } from './output.js';
import { asParam, ParamError, paramError, type ParamStyle } from './params.js';

interface PathsOptions extends InputOptions, PathsRequest {}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A whole number of at least 1; `param` names it for the API (ParamError) when given. */
export function positiveInt(v: string, name: string, param?: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    const message = `${name} must be a whole number of at least 1, not "${v}"`;
    throw param ? new ParamError(message, param) : new UsageError(message);
  }
  return Number(v);
}

function subjectArg(v: string, style: ParamStyle): string {
  const id = asParam(() => canonicalSubjectId(v), 'from');
  const p = parseId(id);
  if (!p || !['User', 'Group', 'ServiceAccount', 'Node'].includes(p.kind)) {
    throw paramError(style, 'from', `--from needs a subject ID, not "${v}"`, `from needs a subject ID, not "${v}"`);
  }
  return id;
}

/** The options of a paths question, as given (numbers still text). */
export interface PathsRequest {
  from: string[];
  to: string;
  maxHops: string;
  limit: string;
  includeSystem?: boolean;
}

/** A paths question, parsed. */
export interface PathsQuestion {
  from: string[];
  to: string;
  maxHops: number;
  limit: number;
  includeSystem?: boolean;
}

const hopsName = (style: ParamStyle): string => (style === 'cli' ? '--max-hops' : 'maxHops');

/** Parse the options of `paths`. Shared by the CLI and the API. */
export function pathsQuestion(o: PathsRequest, style: ParamStyle = 'cli'): PathsQuestion {
  const maxHops = positiveInt(o.maxHops, hopsName(style), 'maxHops');
  const limit = positiveInt(o.limit, style === 'cli' ? '--limit' : 'limit', 'limit');
  const from = o.from.map((f) => subjectArg(f, style));
  return { from, to: o.to, maxHops, limit, includeSystem: o.includeSystem };
}

/**
 * Answer a paths question on an analysis: the paths (for text) and the JSON of `-o json`.
 * `inputWarnings` are the input's. A malformed target is a ParamError on `to`. Shared by the CLI and the API.
 */
export function pathsAnswer(a: Analysis, inputWarnings: Warning[], q: PathsQuestion): { paths: AttackPath[]; json: Record<string, unknown>; warnings: Warning[] } {
  const r = asParam(() => a.paths({ from: q.from, to: q.to, maxHops: q.maxHops, limit: q.limit, includeSystem: q.includeSystem }), 'to');
  const warnings = [...inputWarnings, ...a.warnings, ...r.warnings];
  for (const f of q.from) if (!a.hasNode(f)) warnings.push({ code: 'UNKNOWN_SUBJECT', file: null, line: null, message: `${f} does not appear in the input` });
  return { paths: r.paths, json: { paths: r.paths, warnings }, warnings };
}

/** The options of a secret-access question, as given. */
export interface SecretAccessRequest {
  secret: string;
  maxHops: string;
  includeSystem?: boolean;
}

export interface SecretAccessQuestion {
  secret: string;
  maxHops: number;
  includeSystem?: boolean;
}

/** Parse `secret-access NS/NAME` (or Secret:NS/NAME). Shared by the CLI and the API. */
export function secretAccessQuestion(o: SecretAccessRequest, style: ParamStyle = 'cli'): SecretAccessQuestion {
  const maxHops = positiveInt(o.maxHops, hopsName(style), 'maxHops');
  const bare = o.secret.startsWith('Secret:') ? o.secret.slice('Secret:'.length) : o.secret;
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(bare);
  if (!m) throw paramError(style, 'secret', `secret must be NS/NAME, not "${o.secret}"`, `secret must be Secret:NS/NAME (or NS/NAME), not "${o.secret}"`);
  return { secret: secretId(m[1], m[2]), maxHops, includeSystem: o.includeSystem };
}

/** Answer a secret-access question on an analysis: its paths (for text) and the JSON of `-o json`. Shared by the CLI and the API. */
export function secretAccessAnswer(a: Analysis, inputWarnings: Warning[], q: SecretAccessQuestion): { paths: AttackPath[]; json: Record<string, unknown>; warnings: Warning[] } {
  const r = a.paths({ to: q.secret, maxHops: q.maxHops, includeSystem: q.includeSystem });
  const warnings = [...inputWarnings, ...a.warnings, ...r.warnings];
  const readers = r.paths.map((p: AttackPath) => ({ subject: p.from, length: p.length, steps: p.steps }));
  return { paths: r.paths, json: { secret: q.secret, readers, warnings }, warnings };
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
    const q = pathsQuestion(opts);
    const { snapshot, warnings: inputWarnings } = await loadSnapshot(opts, io);
    const a = analyze(snapshot, { kubernetesVersion: opts.kubernetesVersion });
    const { paths, json, warnings } = pathsAnswer(a, inputWarnings, q);
    if (format === 'json') io.stdout(toJson(json));
    else io.stdout(renderPathsText(paths, format));
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
    const q = secretAccessQuestion({ secret, maxHops: opts.maxHops, includeSystem: opts.includeSystem });
    const { snapshot, warnings: inputWarnings } = await loadSnapshot(opts, io);
    const a = analyze(snapshot, { kubernetesVersion: opts.kubernetesVersion });
    const { paths, json, warnings } = secretAccessAnswer(a, inputWarnings, q);
    if (format === 'json') io.stdout(toJson(json));
    else io.stdout(renderPathsText(paths, format));
    setExit(reportWarnings(warnings, opts, io, 0));
  });
}
