// `rbacgraph report`: critical paths by start, most exposed secrets, most dangerous grants, each with a concrete fix.

import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { analyze } from '../analysis/analyze.js';
import { DEFAULT_MAX_HOPS } from '../analysis/paths.js';
import { SEVERITIES, type Severity } from '../graph/schema.js';
import { buildReport, DEFAULT_TOP, findingsAtOrAbove } from '../report/build.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { renderTableSummary } from '../report/table.js';
import { addInputOptions, loadSnapshot, outputFormat, reportWarnings, type InputOptions } from './common.js';
import type { CliIO } from './io.js';
import { positiveInt } from './paths.js';

interface ReportOptions extends InputOptions {
  failOn?: string;
  top: string;
  maxHops: string;
  includeSystem?: boolean;
  docsUrl?: string;
}

export function parseSeverity(v: string, name: string): Severity {
  const s = v.toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`${name} must be one of ${SEVERITIES.join(', ')}, not "${v}"`);
  return s as Severity;
}

export function registerReport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('report')
    .summary('the attack-graph report: critical paths, exposed secrets, dangerous grants, with fixes')
    .description(
      'Everything that matters in one report: for every subject, its shortest path to cluster-admin and to ' +
        'root on a node (direct grants first, then the most severe and shortest); the secrets most subjects ' +
        'besides cluster-admins can obtain, each with an example path; the bindings the most paths go through. ' +
        'Each finding has a stable ID (a hash of what it is) and concrete fixes: the binding to delete or the ' +
        'subject to remove from it, a JSON patch that takes the permission out of the role\'s rules, the pod ' +
        'spec field to change, or the Pod Security label to set. Severities come from the techniques (a path ' +
        'is as severe as its worst step; a direct cluster-admin grant is critical).\n\n' +
        'Output: table (a compact summary, the default), markdown (the full report with every fix), json ' +
        '(the report as data, with summary and warnings), sarif (SARIF 2.1.0 for code scanning: techniques ' +
        'as rules, each finding at the source line of its binding). No output ever holds a secret value.',
    )
    .option('--fail-on <severity>', `exit 1 when a finding is at or above this severity (${SEVERITIES.join('|')})`)
    .option('--top <n>', 'how many exposed secrets and dangerous grants to list (and path rows in table output)', String(DEFAULT_TOP))
    .option('--max-hops <n>', 'longest path to consider', String(DEFAULT_MAX_HOPS))
    .option('--include-system', 'also start from control-plane identities')
    .option('--docs-url <url>', 'SARIF: base URL of the rbacgraph docs for rule help links (default: relative docs/techniques/ID.md)');
  addInputOptions(cmd, { outputs: ['sarif'] });
  cmd.addHelpText('after', `
Exit codes: 0 done (findings or not, without --fail-on), 1 a finding at or above --fail-on,
            2 usage or input error (or any warning with --strict).

Examples:
  rbacgraph report --input fixtures/demo
  rbacgraph report --input fixtures/demo -o markdown > report.md
  rbacgraph report --input dump.json -o json --top 25
  rbacgraph report --input manifests/ -o sarif > rbacgraph.sarif      # upload to code scanning
  rbacgraph report --kubeconfig ~/.kube/config --fail-on critical      # CI gate`);
  cmd.action(async (opts: ReportOptions) => {
    const format = outputFormat(opts, ['sarif']);
    const failOn = opts.failOn === undefined ? null : parseSeverity(opts.failOn, '--fail-on');
    const top = positiveInt(opts.top, '--top');
    const maxHops = positiveInt(opts.maxHops, '--max-hops');
    const { snapshot, warnings: inputWarnings } = await loadSnapshot(opts, io);
    const a = analyze(snapshot, { kubernetesVersion: opts.kubernetesVersion });
    const report = buildReport(a, { top, maxHops, includeSystem: opts.includeSystem, warnings: inputWarnings });
    switch (format as string) {
      case 'json':
        io.stdout(renderJson(report));
        break;
      case 'markdown':
        io.stdout(renderMarkdown(report));
        break;
      case 'sarif':
        io.stdout(renderSarif(report, { sources: snapshot.sources, version: program.version(), docsBaseUri: opts.docsUrl, baseDir: process.cwd() }));
        break;
      default:
        io.stdout(renderTableSummary(report));
    }
    const failing = failOn === null ? [] : findingsAtOrAbove(report, failOn);
    if (failing.length > 0) io.stderr(`rbacgraph: ${failing.length} finding${failing.length === 1 ? '' : 's'} at or above ${failOn}\n`);
    setExit(reportWarnings(report.warnings, opts, io, failing.length > 0 ? 1 : 0));
  });
}
