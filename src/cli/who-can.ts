// `rbacgraph who-can`: every subject the API server would allow a request, by direct RBAC.

import { Command } from 'commander';
import type { Warning } from '../errors.js';
import { ErrorCode, warning } from '../errors.js';
import type { RbacIndex, Via, WhoCanResult } from '../rbac/authorizer.js';
import { nonResourceRequest, resolveResource, resourceRequest, type RequestAttributes } from '../rbac/request.js';
import { addInputOptions, load, outputFormat, reportWarnings, type InputOptions } from './common.js';
import type { CliIO } from './io.js';
import { renderRows, toJson } from './output.js';
import { paramError, type ParamStyle } from './params.js';

export interface RequestOptions {
  namespace?: string;
  allNamespaces?: boolean;
  nonResourceUrl?: string;
}

/** Build the request from `VERB RESOURCE [NAME]` or `VERB --non-resource-url URL`, as kubectl would. */
export function requestFromArgs(
  verb: string,
  resource: string | undefined,
  name: string | undefined,
  o: RequestOptions,
  style: ParamStyle = 'cli',
): { req: RequestAttributes; warnings: Warning[] } {
  const warnings: Warning[] = [];
  if (!verb) throw paramError(style, 'verb', 'missing VERB', 'missing parameter verb');
  if (o.nonResourceUrl !== undefined) {
    if (resource !== undefined) throw paramError(style, 'nonResourceUrl', 'give either RESOURCE or --non-resource-url, not both', 'give either resource or nonResourceUrl, not both');
    if (o.namespace !== undefined || o.allNamespaces) {
      throw paramError(style, o.namespace !== undefined ? 'namespace' : 'allNamespaces', 'non-resource URLs have no namespace: drop -n/-A', 'non-resource URLs have no namespace: drop namespace and allNamespaces');
    }
    if (!o.nonResourceUrl.startsWith('/')) {
      throw paramError(style, 'nonResourceUrl', `--non-resource-url must start with /: ${o.nonResourceUrl}`, `nonResourceUrl must start with /: ${o.nonResourceUrl}`);
    }
    return { req: nonResourceRequest(verb, o.nonResourceUrl), warnings };
  }
  if (!resource) throw paramError(style, 'resource', 'missing RESOURCE (or --non-resource-url URL)', 'missing parameter resource (or nonResourceUrl)');
  if (o.namespace !== undefined && o.allNamespaces) throw paramError(style, 'allNamespaces', 'give either -n NAMESPACE or -A, not both', 'give either namespace or allNamespaces=true, not both');
  const r = resolveResource(resource);
  if (r.unknown) {
    warnings.push(warning(ErrorCode.UNKNOWN_RESOURCE, `"${r.resource}" is not a built-in resource; it is taken as ${r.resource} in the core group (write RESOURCE.GROUP for others)`));
  }
  let namespace = o.namespace ?? null;
  // A request on one Namespace object has that namespace (requestinfo.go: /api/v1/namespaces/{name});
  // any other request on namespaces (list, create, ...) has none, whatever -n says, like other cluster-scoped kinds.
  const namespaceObject = r.resource === 'namespaces' && r.apiGroup === '' && name !== undefined;
  if (namespace !== null && namespaceObject && namespace !== name) {
    warnings.push(warning(ErrorCode.UNKNOWN_RESOURCE, `a request on namespace ${name} has namespace ${name}: -n ${namespace} is ignored`));
  } else if (namespace !== null && r.clusterScoped && !namespaceObject) {
    warnings.push(warning(ErrorCode.UNKNOWN_RESOURCE, `${r.resource} is cluster-scoped: -n ${namespace} is ignored`));
    namespace = null;
  }
  return { req: resourceRequest(verb, r.apiGroup, r.resource, { subresource: r.subresource, name: name ?? null, namespace }), warnings };
}

export function queryJson(req: RequestAttributes, allNamespaces: boolean): Record<string, unknown> {
  if (req.kind === 'nonResource') return { verb: req.verb, nonResourceURL: req.path };
  const q: Record<string, unknown> = { verb: req.verb, resource: req.subresource ? `${req.resource}/${req.subresource}` : req.resource, apiGroup: req.apiGroup, namespace: allNamespaces ? '*' : req.namespace, name: req.name };
  return q;
}

/** The public shape of one `via` entry: binding and role, plus verb/note when they apply. */
export function viaJson(v: Via): Record<string, string | null> {
  const o: Record<string, string | null> = { binding: v.binding, role: v.role };
  if (v.verb) o.verb = v.verb;
  if (v.note) o.note = v.note;
  return o;
}

export function whoCanJson(req: RequestAttributes, result: WhoCanResult, allNamespaces: boolean, warnings: Warning[]): Record<string, unknown> {
  // Plain loops and one object shape per subject kind: a `-A` answer can hold 8,000 subjects and
  // 30,000 vias, and this runs on every answer.
  const subjects: Record<string, unknown>[] = [];
  for (const s of result.subjects) {
    const via: Record<string, string | null>[] = [];
    for (let i = 0; i < s.via.length; i++) via.push(viaJson(s.via[i]));
    subjects.push(s.namespaces ? { subject: s.subject, via, namespaces: s.namespaces } : { subject: s.subject, via });
  }
  const out: Record<string, unknown> = { query: queryJson(req, allNamespaces), subjects };
  if (req.kind === 'resource' && req.name === null) out.partial = result.partial;
  out.warnings = warnings;
  return out;
}

/**
 * Answer a who-can request on loaded input: the result (for tables) and the JSON of `-o json`.
 * `warnings` are the input's and the request's. Shared by the CLI and the API.
 */
export function whoCanAnswer(index: RbacIndex, req: RequestAttributes, allNamespaces: boolean, warnings: Warning[]): { result: WhoCanResult; json: Record<string, unknown> } {
  const result = index.whoCan(req, { allNamespaces });
  return { result, json: whoCanJson(req, result, allNamespaces, warnings) };
}

export function registerWhoCan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('who-can')
    .summary('list every subject allowed a request by direct RBAC')
    .description(
      'List every subject (as named in bindings) that RBAC allows to make the request, with the bindings\n' +
        'and roles that allow it. Evaluated exactly as the API server does: ClusterRoleBindings apply\n' +
        'everywhere, RoleBindings only in their namespace; `*/scale` matches every scale subresource,\n' +
        '`pods/*` matches nothing; a request without NAME does not match rules limited by resourceNames\n' +
        '(those subjects are listed as "partial" in JSON). Group:system:masters is always allowed.',
    )
    .argument('<verb>', 'get, list, watch, create, update, patch, delete, deletecollection, impersonate, bind, escalate, ...')
    .argument('[resource]', 'pods, pods/exec, deployments.apps, deployments.apps/scale, po, deploy, ...')
    .argument('[name]', 'the object name the request carries (for create on a subresource: the parent name)')
    .option('-n, --namespace <ns>', 'request in this namespace (default: a cluster-scoped request)')
    .option('-A, --all-namespaces', 'the request in any namespace; each subject gets a namespaces list')
    .option('--non-resource-url <url>', 'a non-resource request such as /healthz or /version');
  addInputOptions(cmd);
  cmd.addHelpText('after', `
Examples:
  rbacgraph who-can get secrets -n kube-system --input fixtures/demo
  rbacgraph who-can create pods/exec -A --input dump.json -o json
  rbacgraph who-can impersonate serviceaccounts --input fixtures/demo
  rbacgraph who-can get --non-resource-url /metrics --input fixtures/demo`);
  cmd.action(async (verb: string, resource: string | undefined, name: string | undefined, opts: InputOptions & RequestOptions) => {
    const format = outputFormat(opts);
    const { req, warnings: reqWarnings } = requestFromArgs(verb, resource, name, opts);
    const loaded = await load(opts, io);
    const allNs = opts.allNamespaces === true;
    const warnings = [...loaded.warnings, ...reqWarnings];
    const { result, json } = whoCanAnswer(loaded.index, req, allNs, warnings);
    if (format === 'json') io.stdout(toJson(json));
    else {
      const headers = allNs ? ['SUBJECT', 'NAMESPACES', 'BINDING', 'ROLE'] : ['SUBJECT', 'BINDING', 'ROLE'];
      const rows: string[][] = [];
      for (const s of result.subjects) {
        s.via.forEach((v, i) => {
          const first = i === 0;
          const cells = [first ? s.subject : '', v.binding ?? '(always allowed)', v.role ? `${v.role}${v.verb ? ` (as ${v.verb})` : ''}` : v.note ?? ''];
          if (allNs) cells.splice(1, 0, first ? (s.namespaces ?? []).join(',') : '');
          rows.push(cells);
        });
      }
      io.stdout(renderRows(format, headers, rows));
      if (result.partial.length > 0) {
        io.stdout(`\nOnly for named objects (resourceNames):\n`);
        io.stdout(renderRows(format, ['SUBJECT', 'RESOURCE NAMES'], result.partial.map((p) => [p.subject, p.resourceNames.join(',')])));
      }
    }
    setExit(reportWarnings(warnings, opts, io, 0));
  });
}
