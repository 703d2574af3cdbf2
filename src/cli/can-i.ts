// `rbacgraph can-i`: would the API server allow this identity the request? Exit 0 yes, 1 no.

import { Command } from 'commander';
import { ErrorCode, warning, type Warning } from '../errors.js';
import { parseId } from '../ids.js';
import type { Decision, RbacIndex } from '../rbac/authorizer.js';
import type { RequestAttributes } from '../rbac/request.js';
import { canonicalSubjectId, identityOf, withExplicitGroups, type UserInfo } from '../rbac/subjects.js';
import { addInputOptions, load, outputFormat, reportWarnings, type InputOptions } from './common.js';
import type { CliIO } from './io.js';
import { renderRows, toJson } from './output.js';
import { asParam, ParamError, paramError, type ParamStyle } from './params.js';
import { queryJson, requestFromArgs, viaJson, type RequestOptions } from './who-can.js';

/** The identity and request of a can-i question, as given. */
export interface CanIRequest extends RequestOptions {
  as?: string;
  asGroup: string[];
}

interface CanIOptions extends InputOptions, CanIRequest {}

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
      throw new ParamError(`malformed subject ID: ${as} (expected User:NAME, Group:NAME, ServiceAccount:NS/NAME or Node:NAME)`, 'as');
    }
  }
  return asParam(() => canonicalSubjectId(as), 'as');
}

/** A can-i question, parsed: who asks (with its groups) and what. */
export interface CanIQuestion {
  subject: string;
  identity: UserInfo;
  req: RequestAttributes;
  /** The request's warnings (an unknown resource, an ignored namespace). */
  warnings: Warning[];
}

/** Parse `VERB RESOURCE [NAME] --as SUBJECT [--as-group G ...]`. Shared by the CLI and the API. */
export function canIQuestion(verb: string, resource: string | undefined, name: string | undefined, o: CanIRequest, style: ParamStyle = 'cli'): CanIQuestion {
  if (!o.as) throw paramError(style, 'as', 'can-i needs --as SUBJECT (e.g. --as ServiceAccount:ns/name)', 'can-i needs the parameter as=SUBJECT (e.g. as=ServiceAccount:ns/name)');
  if (o.allNamespaces) throw paramError(style, 'allNamespaces', 'can-i takes -n NAMESPACE, not -A', 'can-i takes namespace, not allNamespaces');
  const subject = subjectFromAs(o.as);
  let identity = identityOf(subject);
  if (o.asGroup.length > 0) identity = withExplicitGroups(identity, o.asGroup);
  const { req, warnings } = requestFromArgs(verb, resource, name, o, style);
  return { subject, identity, req, warnings };
}

/**
 * Answer a can-i question on loaded input: the decision and the JSON of `-o json`. `inputWarnings`
 * are the loaded input's (input and RBAC index). Shared by the CLI and the API.
 */
export function canIAnswer(index: RbacIndex, inputWarnings: Warning[], q: CanIQuestion): { decision: Decision; json: Record<string, unknown>; warnings: Warning[] } {
  const warnings = [...inputWarnings, ...q.warnings];
  if (parseId(q.subject)?.kind === 'Node') {
    warnings.push(warning(ErrorCode.NODE_AUTHORIZER, `${q.subject}: RBAC only; the Node authorizer also lets a node read the secrets, configmaps and volumes of its own pods`));
  }
  const decision = index.authorize(q.identity, q.req);
  const json = {
    allowed: decision.allowed,
    via: decision.via.map(viaJson),
    query: queryJson(q.req, false),
    identity: { subject: q.subject, user: q.identity.name, groups: q.identity.groups },
    warnings,
  };
  return { decision, json, warnings };
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
    const q = canIQuestion(verb, resource, name, opts);
    const loaded = await load(opts, io);
    const { decision, json, warnings } = canIAnswer(loaded.index, loaded.warnings, q);
    if (format === 'json') {
      io.stdout(toJson(json));
    } else {
      io.stdout(`${decision.allowed ? 'yes' : 'no'}\n`);
      if (decision.via.length > 0) {
        io.stdout(renderRows(format, ['BINDING', 'ROLE'], decision.via.map((v) => [v.binding ?? '(always allowed)', v.role ? `${v.role}${v.verb ? ` (as ${v.verb})` : ''}` : v.note ?? ''])));
      }
    }
    setExit(reportWarnings(warnings, opts, io, decision.allowed ? 0 : 1));
  });
}
