// `rbacgraph self-check`: asks the API server (SelfSubjectAccessReview) which of rbacgraph's permissions the current credentials lack.

import { Command, Option } from 'commander';
import { ErrorCode, RbacgraphError } from '../errors.js';
import type { CliIO } from './io.js';
import { parseOutputFormat, renderRows, toJson } from './output.js';

interface SelfCheckOptions {
  kubeconfig?: string;
  context?: string;
  skipSecrets?: boolean;
  requestTimeout: string;
  output: string;
}

export interface PermissionCheck {
  verb: string;
  /** kubectl's form: `pods`, `deployments.apps`. */
  resource: string;
  namespace: string | null;
  name: string | null;
  purpose: string;
  /** true / false as the API server answered; null when skipped (--skip-secrets). */
  allowed: boolean | null;
  reason: string | null;
}

function describe(c: PermissionCheck): string {
  return `${c.verb} ${c.resource}${c.name ? ` ${c.name}` : ''}${c.namespace ? ` -n ${c.namespace}` : ' (cluster-wide)'}`;
}

export function registerSelfCheck(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('self-check')
    .summary("tell which of rbacgraph's permissions the current credentials lack")
    .description(
      'Ask the API server, one SelfSubjectAccessReview per permission, whether the\n' +
        'current credentials may do what rbacgraph does: list and watch every kind\n' +
        'it reads, get the kube-system/aws-auth ConfigMap, and list secret metadata.\n' +
        'Prints each permission and which are missing; deploy/clusterrole.yaml\n' +
        'grants exactly these. Listing secret metadata needs `list secrets`, which is\n' +
        'also the right to read their values: --skip-secrets leaves it out (secret\n' +
        'reachability then covers only secrets that pods reference).',
    )
    .option('--kubeconfig <path>', 'kubeconfig file, or "in-cluster" for the pod\'s own service account')
    .option('--context <name>', 'kubeconfig context to check')
    .option('--skip-secrets', 'do not require access to secrets')
    .option('--request-timeout <duration>', 'overall time limit, retries included (30s, 5m; 0 = none)', '1m')
    .addOption(new Option('-o, --output <format>', 'output format: json|table|markdown').default('table'));
  cmd.addHelpText('after', `
Exit codes: 0 every permission is granted, 1 some are missing, 2 usage or connection error.

Examples:
  rbacgraph self-check --kubeconfig ~/.kube/config --context prod
  rbacgraph self-check --kubeconfig in-cluster -o json`);
  cmd.action(async (opts: SelfCheckOptions) => {
    const format = parseOutputFormat(opts.output);
    const { resolveCluster } = await import('../ingest/kube-config.js');
    const { KubeApiError, KubeClient } = await import('../ingest/kube-client.js');
    const { parseDuration } = await import('../ingest/kube.js');
    const { neededPermissions } = await import('../ingest/kube-resources.js');
    const cluster = resolveCluster({ kubeconfig: opts.kubeconfig, context: opts.context, env: io.env });
    const deadline = Date.now() + parseDuration(opts.requestTimeout, '--request-timeout');
    const client = new KubeClient(cluster);
    const checks: PermissionCheck[] = [];
    try {
      const needed = neededPermissions();
      const results = new Array<PermissionCheck>(needed.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let i = next++; i < needed.length; i = next++) {
          const p = needed[i];
          const check: PermissionCheck = {
            verb: p.verb,
            resource: p.group ? `${p.resource}.${p.group}` : p.resource,
            namespace: p.namespace ?? null,
            name: p.name ?? null,
            purpose: p.purpose,
            allowed: null,
            reason: null,
          };
          results[i] = check;
          if (p.secret && opts.skipSecrets) {
            check.reason = '--skip-secrets';
            continue;
          }
          const review = {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb: p.verb, group: p.group, resource: p.resource, namespace: p.namespace, name: p.name } },
          };
          let answer: unknown;
          try {
            answer = await client.json({ method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body: review }, { deadline });
          } catch (e) {
            if (e instanceof KubeApiError && e.status === 403) {
              throw new RbacgraphError(ErrorCode.KUBE_API, `the credentials may not create SelfSubjectAccessReviews, so self-check cannot ask (${e.message})`);
            }
            throw e;
          }
          const status = (answer as { status?: { allowed?: unknown; reason?: unknown; evaluationError?: unknown } }).status ?? {};
          check.allowed = status.allowed === true;
          check.reason = typeof status.reason === 'string' && status.reason ? status.reason : typeof status.evaluationError === 'string' ? status.evaluationError : null;
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      checks.push(...results);
    } finally {
      client.close();
    }
    const missing = checks.filter((c) => c.allowed === false);
    if (format === 'json') {
      io.stdout(toJson({ server: cluster.server, context: cluster.context, complete: missing.length === 0, permissions: checks, missing: missing.map(describe) }));
    } else {
      const rows = checks.map((c) => [describe(c), c.purpose, c.allowed === null ? 'skipped' : c.allowed ? 'yes' : 'MISSING']);
      let text = `${cluster.server} (context ${cluster.context})\n\n${renderRows(format, ['PERMISSION', 'NEEDED FOR', 'ALLOWED'], rows)}\n`;
      if (missing.length === 0) {
        text += `every permission rbacgraph needs is granted${opts.skipSecrets ? ' (secrets skipped)' : ''}\n`;
      } else {
        text += `${missing.length} of ${checks.filter((c) => c.allowed !== null).length} permissions missing:\n`;
        for (const m of missing) text += `  ${describe(m)}  (${m.purpose})\n`;
        text += 'a scan still runs: each kind it cannot read becomes a coverage gap with a warning.\n';
        text += 'deploy/clusterrole.yaml grants exactly these permissions.\n';
      }
      io.stdout(text);
    }
    setExit(missing.length > 0 ? 1 : 0);
  });
}
