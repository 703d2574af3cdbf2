// `rbacgraph can-i`: would the API server allow this identity the request? Exit 0 yes, 1 no.

import { Command } from 'commander';
import { ErrorCode, UsageError, warning } from '../errors.js';
import { parseId } from '../ids.js';
import { canonicalSubjectId, identityOf, withExplicitGroups } from '../rbac/subjects.js';
import { addInputOptions, load, outputFormat, reportWarnings, type InputOptions } from './common.js';
import type { CliIO } from './io.js';
import { renderRows, toJson } from './output.js';
import { queryJson, requestFromArgs, viaJson, type RequestOptions } from './who-can.js';

interface CanIOptions extends InputOptions, RequestOptions {
  as?: string;
  asGroup: string[];
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The ID kinds of interface.md section 1, and those of them that can make a request. */
const ID_KIND = /^(User|Group|ServiceAccount|Node|Pod|Secret|Role|RoleBinding|ClusterRole|ClusterRoleBinding|Namespace):/;
const SUBJECT_KINDS = ['User', 'Group', 'ServiceAccount', 'Node'];

/**
 * `--as`: a value written as an ID must be a well-formed subject ID (`User:` with no name, or
 * `ClusterRole:admin`, is a usage error, not a user of that name); anything else is kubectl's form.
 */
export function subjectFromAs(as: string): string {
  if (ID_KIND.test(as)) {
    const p = parseId(as);
    if (!p || !SUBJECT_KINDS.includes(p.kind)) {
      throw new UsageError(`malformed subject ID: ${as} (expected User:NAME, Group:NAME, ServiceAccount:NS/NAME or Node:NAME)`);
    }
  }
  return canonicalSubjectId(as);
}

export function registerCanI(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('can-i')
    .summary('would the API server allow this identity a request? (exit 0 yes, 1 no)')
    .description(
      'Evaluate a request for one identity exactly as the API server would, including its implicit\n' +
        'groups: a service account is in system:serviceaccounts, system:serviceaccounts:<ns> and\n' +
        'system:authenticated; a user in system:authenticated (system:anonymous in system:unauthenticated);\n' +
        '--as Node:n is user system:node:n in system:nodes (RBAC only: the Node authorizer grants more).\n' +
        'Exit code 0 when allowed, 1 when not, 2 on a usage or input error.',
    )
    .argument('<verb>')
    .argument('[resource]')
    .argument('[name]')
    .option('-n, --namespace <ns>', 'request in this namespace')
    .option('--non-resource-url <url>', 'a non-resource request such as /version')
    .option('--as <subject>', 'User:alice, Group:dev, ServiceAccount:ns/name, Node:n, or kubectl forms (alice, system:serviceaccount:ns:name)')
    .option('--as-group <group>', 'act with exactly these groups, as kubectl --as-group (repeatable)', collect, []);
  addInputOptions(cmd);
  cmd.addHelpText('after', `
Examples:
  rbacgraph can-i list secrets -n payments --as ServiceAccount:ci/deployer --input fixtures/demo
  rbacgraph can-i create pods/exec -n kube-system --as system:serviceaccount:ci:runner --input dump.json
  rbacgraph can-i get --non-resource-url /version --as User:system:anonymous --input fixtures/demo`);
  cmd.action(async (verb: string, resource: string | undefined, name: string | undefined, opts: CanIOptions) => {
    const format = outputFormat(opts);
    if (!opts.as) throw new UsageError('can-i needs --as SUBJECT (e.g. --as ServiceAccount:ns/name)');
    if (opts.allNamespaces) throw new UsageError('can-i takes -n NAMESPACE, not -A');
    const subject = subjectFromAs(opts.as);
    let identity = identityOf(subject);
    if (opts.asGroup.length > 0) identity = withExplicitGroups(identity, opts.asGroup);
    const { req, warnings: reqWarnings } = requestFromArgs(verb, resource, name, opts);
    const loaded = await load(opts, io);
    const warnings = [...loaded.warnings, ...reqWarnings];
    if (parseId(subject)?.kind === 'Node') {
      warnings.push(warning(ErrorCode.NODE_AUTHORIZER, `${subject}: RBAC only; the Node authorizer also lets a node read the secrets, configmaps and volumes of its own pods`));
    }
    const decision = loaded.index.authorize(identity, req);
    if (format === 'json') {
      io.stdout(toJson({
        allowed: decision.allowed,
        via: decision.via.map(viaJson),
        query: queryJson(req, false),
        identity: { subject, user: identity.name, groups: identity.groups },
        warnings,
      }));
    } else {
      io.stdout(`${decision.allowed ? 'yes' : 'no'}\n`);
      if (decision.via.length > 0) {
        io.stdout(renderRows(format, ['BINDING', 'ROLE'], decision.via.map((v) => [v.binding ?? '(always allowed)', v.role ? `${v.role}${v.verb ? ` (as ${v.verb})` : ''}` : v.note ?? ''])));
      }
    }
    setExit(reportWarnings(warnings, opts, io, decision.allowed ? 0 : 1));
  });
}
