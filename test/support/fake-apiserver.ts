// A stand-in kube-apiserver for tests (no real one can run here), following the API conventions rbacgraph relies on.
//
// What it does as Kubernetes does: HTTPS with a CA made at start (openssl), bearer-token
// authentication (401 without a known token), RBAC-like authorization per token (403 with a
// Status naming user, verb and resource), lists with metadata.resourceVersion and `continue`
// tokens honouring `limit` (410 Gone once the continue token's resourceVersion is compacted),
// PartialObjectMetadataList / PartialObjectMetadata when the Accept header asks for them (406
// when a list asks for the single form or the reverse), field selectors (`type=`, `metadata.name=`,
// `metadata.namespace=`), watch streams (?watch=1) with ADDED / MODIFIED / DELETED / BOOKMARK events
// from any retained resourceVersion and an ERROR 410 event once it is compacted, /version,
// SelfSubjectAccessReview, and injected 429 (with Retry-After) or 5xx answers.
//
// Where it is simpler than Kubernetes: a continued list is served from the current objects after
// the last key (not from a consistent snapshot at the first page's resourceVersion); list items of
// every kind are kept as written in the fixtures (no defaulting, no conversion beyond apiVersion).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ResourceType {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** The resources this stand-in serves (its own table: tests must not trust rbacgraph's). */
const TYPES: ResourceType[] = [
  ['Namespace', '', 'v1', 'namespaces', false],
  ['Node', '', 'v1', 'nodes', false],
  ['Pod', '', 'v1', 'pods', true],
  ['ServiceAccount', '', 'v1', 'serviceaccounts', true],
  ['Secret', '', 'v1', 'secrets', true],
  ['ConfigMap', '', 'v1', 'configmaps', true],
  ['Service', '', 'v1', 'services', true],
  ['PersistentVolume', '', 'v1', 'persistentvolumes', false],
  ['PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims', true],
  ['ReplicationController', '', 'v1', 'replicationcontrollers', true],
  ['Role', 'rbac.authorization.k8s.io', 'v1', 'roles', true],
  ['ClusterRole', 'rbac.authorization.k8s.io', 'v1', 'clusterroles', false],
  ['RoleBinding', 'rbac.authorization.k8s.io', 'v1', 'rolebindings', true],
  ['ClusterRoleBinding', 'rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false],
  ['NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies', true],
  ['MutatingWebhookConfiguration', 'admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', false],
  ['ValidatingWebhookConfiguration', 'admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', false],
  ['Deployment', 'apps', 'v1', 'deployments', true],
  ['DaemonSet', 'apps', 'v1', 'daemonsets', true],
  ['StatefulSet', 'apps', 'v1', 'statefulsets', true],
  ['ReplicaSet', 'apps', 'v1', 'replicasets', true],
  ['Job', 'batch', 'v1', 'jobs', true],
  ['CronJob', 'batch', 'v1', 'cronjobs', true],
].map(([kind, group, version, plural, namespaced]) => ({ kind, group, version, plural, namespaced }) as ResourceType);

const BY_KIND = new Map(TYPES.map((t) => [t.kind, t]));
const resourceName = (t: ResourceType): string => (t.group ? `${t.plural}.${t.group}` : t.plural);

export interface TokenRule {
  verbs: string[];
  /** `pods`, `deployments.apps`, or `*`. */
  resources: string[];
  /** Limits the rule to these object names (get, and list/watch with a metadata.name field selector). */
  names?: string[];
}

export interface TokenGrant {
  user: string;
  rules: TokenRule[];
}

/** Read everything rbacgraph reads (list, watch, get). */
export const READ_ALL: TokenRule[] = [{ verbs: ['get', 'list', 'watch'], resources: ['*'] }];

/** What the watch tests apply: a ClusterRoleBinding of cluster-admin to ServiceAccount dev/ci. */
export const ADMIN_BINDING = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'ci-is-admin' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'dev' }],
};

export interface StandInOptions {
  /** Files or folders of YAML/JSON manifests to serve. */
  fixtures?: string[];
  objects?: unknown[];
  /** Bearer tokens and what each may do. */
  tokens?: Record<string, TokenGrant>;
  gitVersion?: string;
  /** Resources answered 404, as a server without that API would: `cronjobs.batch`. */
  missing?: string[];
  /** How often an idle watch that asked for bookmarks gets one (default 1 s). */
  bookmarkIntervalMs?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accept: string;
  token: string | null;
  /** `secrets`, `deployments.apps`, ...; null for non-resource paths. */
  resource: string | null;
  verb: string | null;
  watch: boolean;
  status: number;
  at: number;
}

interface Stored {
  key: string;
  obj: Obj;
  rv: number;
}

interface HistoryEvent {
  rv: number;
  resource: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: Obj;
}

interface OpenWatch {
  type: ResourceType;
  namespace: string | null;
  selector: FieldSelector;
  metadataOnly: boolean;
  res: ServerResponse;
  send: (type: string, obj: Obj) => void;
}

interface Failure {
  resource: string;
  status: number;
  retryAfter?: number;
  times: number;
  /** Only requests that continue a list (a `continue` token): e.g. an expired token. */
  onlyContinued: boolean;
}

type FieldSelector = (o: Obj) => boolean;

const PARTIAL_LIST = 'PartialObjectMetadataList';
const PARTIAL_OBJECT = 'PartialObjectMetadata';

/** `application/json;as=X;g=meta.k8s.io;v=v1` entries of an Accept header: which `as` forms are asked for. */
function acceptedForms(accept: string): { forms: string[]; plain: boolean } {
  const forms: string[] = [];
  let plain = accept.trim() === '';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const p = Object.fromEntries(params.map((x) => x.split('=').map((y) => y.trim())));
    if (p.as) {
      if (p.g === 'meta.k8s.io' && p.v === 'v1') forms.push(p.as);
    } else {
      plain = true;
    }
  }
  return { forms, plain };
}

function parseFieldSelector(s: string | undefined): FieldSelector | string {
  if (!s) return () => true;
  const tests: FieldSelector[] = [];
  for (const term of s.split(',')) {
    const m = /^([a-zA-Z.]+)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) return `invalid field selector "${term}"`;
    const [, field, op, value] = m;
    const get = (o: Obj): unknown => {
      const meta = isObj(o.metadata) ? o.metadata : {};
      if (field === 'metadata.name') return meta.name;
      if (field === 'metadata.namespace') return meta.namespace;
      if (field === 'type') return o.type;
      return undefined;
    };
    if (!['metadata.name', 'metadata.namespace', 'type'].includes(field)) return `field label not supported: ${field}`;
    tests.push(op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value);
  }
  return (o) => tests.every((t) => t(o));
}

/** The one name a field selector pins (authorized against resourceNames, as the API server does). */
function selectedName(s: string | undefined): string | null {
  if (!s) return null;
  const m = /^metadata\.name==?(.+)$/.exec(s.trim());
  return m && !s.includes(',') ? m[1] : null;
}

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function readManifests(paths: string[]): Obj[] {
  const out: Obj[] = [];
  const files: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else if (['.yaml', '.yml', '.json'].includes(extname(p))) {
      files.push(p);
    }
  };
  for (const p of paths) walk(p);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    let docs: unknown[];
    try {
      docs = extname(f) === '.json' ? [JSON.parse(text)] : [];
    } catch {
      docs = [];
    }
    if (docs.length === 0) {
      docs = parseAllDocuments(text, { version: '1.1' }).filter((d) => d.errors.length === 0).map((d) => d.toJS() as unknown);
    }
    for (const v of docs) {
      if (!isObj(v)) continue;
      if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
        const itemKind = v.kind === 'List' ? null : v.kind.slice(0, -4);
        for (const it of v.items) if (isObj(it)) out.push(itemKind && !it.kind ? { ...it, kind: itemKind } : it);
      } else {
        out.push(v);
      }
    }
  }
  return out;
}

/** A CA and a server certificate for 127.0.0.1 / localhost, made with openssl in a temporary folder. */
function makeCertificates(dir: string): { caFile: string; cert: string; key: string } {
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-days', '2', '-subj', '/CN=stand-in-kube-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=stand-in-kube-apiserver']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf']);
  return { caFile: join(dir, 'ca.crt'), cert: readFileSync(join(dir, 'server.crt'), 'utf8'), key: readFileSync(join(dir, 'server.key'), 'utf8') };
}

export class StandInApiServer {
  readonly log: LoggedRequest[] = [];
  readonly dir: string;
  readonly caFile: string;
  url = '';
  private server: https.Server | null = null;
  private readonly store = new Map<string, Map<string, Stored>>(TYPES.map((t) => [t.plural, new Map()]));
  private readonly history: HistoryEvent[] = [];
  private rv = 1000;
  /** Watches and continue tokens from before this resourceVersion get 410 Gone. */
  private compactedRv = 0;
  private readonly watches = new Set<OpenWatch>();
  private readonly failures: Failure[] = [];
  private readonly tokens: Record<string, TokenGrant>;
  private readonly missing: Set<string>;
  private readonly gitVersion: string;
  private readonly bookmarkIntervalMs: number;
  private readonly rawSecretValues: string[] = [];

  private constructor(opts: StandInOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'stand-in-apiserver-'));
    this.tokens = opts.tokens ?? { 'reader-token': { user: 'reader', rules: READ_ALL } };
    this.missing = new Set(opts.missing ?? []);
    this.gitVersion = opts.gitVersion ?? 'v1.30.2';
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 1000;
    const certs = makeCertificates(this.dir);
    this.caFile = certs.caFile;
    this.server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => this.handle(req, res));
    for (const o of [...readManifests(opts.fixtures ?? []), ...(opts.objects ?? []).filter(isObj)]) this.put(o, false);
  }

  static async start(opts: StandInOptions = {}): Promise<StandInApiServer> {
    const s = new StandInApiServer(opts);
    await new Promise<void>((resolve) => s.server!.listen(0, '127.0.0.1', resolve));
    s.url = `https://127.0.0.1:${(s.server!.address() as AddressInfo).port}`;
    return s;
  }

  /** A kubeconfig for this server (one context per token given; the first is current). */
  writeKubeconfig(tokens: string | string[], file = join(this.dir, `kubeconfig-${this.log.length}-${Math.random().toString(36).slice(2)}.yaml`)): string {
    const list = Array.isArray(tokens) ? tokens : [tokens];
    const ctx = (t: string): string => `stand-in-${t}`;
    const cfg = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stand-in', cluster: { server: this.url, 'certificate-authority': this.caFile } }],
      users: list.map((t) => ({ name: `user-${t}`, user: { token: t } })),
      contexts: list.map((t) => ({ name: ctx(t), context: { cluster: 'stand-in', user: `user-${t}` } })),
      'current-context': ctx(list[0]),
    };
    writeFileSync(file, JSON.stringify(cfg, null, 2));
    return file;
  }

  /** Every value of every Secret's data/stringData as served (base64) and decoded, for leak checks. */
  secretValues(): string[] {
    return [...this.rawSecretValues];
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Create or replace an object: watchers get ADDED or MODIFIED. */
  apply(obj: unknown): void {
    if (!isObj(obj)) throw new Error('stand-in: apply needs an object');
    this.put(JSON.parse(JSON.stringify(obj)) as Obj, true);
  }

  /** Delete an object: watchers get DELETED. */
  remove(kind: string, name: string, namespace?: string): void {
    const t = BY_KIND.get(kind);
    if (!t) throw new Error(`stand-in: unknown kind ${kind}`);
    const key = t.namespaced ? `${namespace ?? 'default'}/${name}` : name;
    const m = this.store.get(t.plural)!;
    const s = m.get(key);
    if (!s) throw new Error(`stand-in: no ${kind} ${key}`);
    m.delete(key);
    const rv = ++this.rv;
    const obj = { ...s.obj, metadata: { ...(s.obj.metadata as Obj), resourceVersion: String(rv) } };
    this.record({ rv, resource: t.plural, type: 'DELETED', obj });
  }

  /**
   * Forget the event history (as etcd compaction does): a watch or continue token from an older
   * resourceVersion now gets 410 Gone, and every open watch receives an ERROR 410 event and ends.
   */
  expireWatches(): void {
    this.compactedRv = this.rv + 1;
    this.history.length = 0;
    for (const w of [...this.watches]) {
      w.send('ERROR', status(410, 'Expired', 'too old resource version (stand-in compaction)'));
      w.res.end();
      this.watches.delete(w);
    }
  }

  /** End every open watch stream without an error, as the server's watch timeout does. */
  dropWatches(): void {
    for (const w of [...this.watches]) {
      w.res.end();
      this.watches.delete(w);
    }
  }

  /** Forget history older than now without ending open watches (a later resume from old RVs gets 410). */
  compact(): void {
    this.compactedRv = this.rv + 1;
    this.history.length = 0;
  }

  /** The next `times` requests for `resource` (`pods`, `deployments.apps`, ...) get this answer. */
  failNext(resource: string, failure: { status: number; retryAfter?: number; times?: number; onlyContinued?: boolean }): void {
    this.failures.push({ resource, status: failure.status, retryAfter: failure.retryAfter, times: failure.times ?? 1, onlyContinued: failure.onlyContinued ?? false });
  }

  /** Number of open watch streams (for tests that wait for a watcher to connect). */
  get openWatches(): number {
    return this.watches.size;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.res.end();
    this.watches.clear();
    const srv = this.server;
    this.server = null;
    if (srv) {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private put(raw: Obj, notify: boolean): void {
    const kind = typeof raw.kind === 'string' ? raw.kind : '';
    const t = BY_KIND.get(kind);
    if (!t || !isObj(raw.metadata) || typeof raw.metadata.name !== 'string') return;
    const meta: Obj = { ...raw.metadata };
    // As the API server places them: namespaced objects without one land in `default`; a
    // cluster-scoped object has none.
    if (t.namespaced) meta.namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default';
    else delete meta.namespace;
    const rv = ++this.rv;
    meta.resourceVersion = String(rv);
    meta.uid ??= `uid-${rv}`;
    const obj: Obj = { ...raw, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata: meta };
    if (kind === 'Secret') {
      for (const field of ['data', 'stringData']) {
        const d = obj[field];
        if (!isObj(d)) continue;
        for (const v of Object.values(d)) {
          if (typeof v !== 'string') continue;
          this.rawSecretValues.push(v);
          if (field === 'data') this.rawSecretValues.push(Buffer.from(v, 'base64').toString('utf8'));
        }
      }
    }
    const key = t.namespaced ? `${meta.namespace as string}/${meta.name as string}` : (meta.name as string);
    const m = this.store.get(t.plural)!;
    const existed = m.has(key);
    m.set(key, { key, obj, rv });
    if (notify) this.record({ rv, resource: t.plural, type: existed ? 'MODIFIED' : 'ADDED', obj });
  }

  private record(ev: HistoryEvent): void {
    this.history.push(ev);
    for (const w of this.watches) {
      if (w.type.plural !== ev.resource) continue;
      if (!this.matches(w, ev.obj)) continue;
      w.send(ev.type, ev.obj);
    }
  }

  private matches(w: { namespace: string | null; selector: FieldSelector }, obj: Obj): boolean {
    const meta = obj.metadata as Obj;
    if (w.namespace !== null && meta.namespace !== w.namespace) return false;
    return w.selector(obj);
  }

  private authorize(grant: TokenGrant, verb: string, t: ResourceType, name: string | null): boolean {
    return grant.rules.some((r) =>
      (r.verbs.includes('*') || r.verbs.includes(verb)) &&
      (r.resources.includes('*') || r.resources.includes(resourceName(t))) &&
      (!r.names || (name !== null && r.names.includes(name))));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    const query = Object.fromEntries(url.searchParams.entries());
    const accept = String(req.headers.accept ?? '');
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : null;
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname, query, accept, token, resource: null, verb: null, watch: false, status: 0, at: Date.now() };
    this.log.push(entry);
    const reply = (code: number, body: Obj, headers: Record<string, string> = {}): void => {
      entry.status = code;
      res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const grant = token !== null ? this.tokens[token] : undefined;
    if (!grant) {
      reply(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (url.pathname === '/version') {
      const m = /^v(\d+)\.(\d+)/.exec(this.gitVersion);
      reply(200, { major: m?.[1] ?? '1', minor: m?.[2] ?? '30', gitVersion: this.gitVersion, platform: 'linux/amd64' });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      this.selfSubjectAccessReview(req, grant, reply);
      return;
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const group = m ? (m[1] ? '' : m[2]) : null;
    const t = m ? TYPES.find((x) => x.group === group && x.version === (m[1] ?? m[3]) && x.plural === m[5]) : undefined;
    if (!m || !t || this.missing.has(resourceName(t)) || (m[4] && !t.namespaced)) {
      reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const namespace = m[4] ? decodeURIComponent(m[4]) : null;
    const name = m[6] ? decodeURIComponent(m[6]) : null;
    const watch = query.watch === '1' || query.watch === 'true';
    const verb = req.method !== 'GET' ? 'unsupported' : name ? 'get' : watch ? 'watch' : 'list';
    entry.resource = resourceName(t);
    entry.verb = verb;
    entry.watch = watch;
    if (verb === 'unsupported') {
      reply(405, status(405, 'MethodNotAllowed', 'the stand-in serves reads only'));
      return;
    }
    const fail = this.failures.find((f) => f.resource === resourceName(t) && f.times > 0 && (!f.onlyContinued || query.continue));
    if (fail) {
      fail.times--;
      const headers: Record<string, string> = fail.retryAfter !== undefined ? { 'Retry-After': String(fail.retryAfter) } : {};
      const [reason, message] = fail.status === 429 ? ['TooManyRequests', 'Too many requests, please try again later.']
        : fail.status === 410 ? ['Expired', 'The provided continue parameter is too old to display a consistent list result.']
          : ['InternalError', 'stand-in failure'];
      reply(fail.status, status(fail.status, reason, message), headers);
      return;
    }
    const authzName = name ?? selectedName(query.fieldSelector);
    if (!this.authorize(grant, verb, t, authzName)) {
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      reply(403, status(403, 'Forbidden', `${resourceName(t)}${name ? ` "${name}"` : ''} is forbidden: User "${grant.user}" cannot ${verb} resource "${t.plural}" in API group "${t.group}" ${scope}`, { kind: t.plural, ...(name ? { name } : {}) }));
      return;
    }
    const { forms, plain } = acceptedForms(accept);
    if (name) {
      const s = this.store.get(t.plural)!.get(t.namespaced ? `${namespace}/${name}` : name);
      if (!s) {
        reply(404, status(404, 'NotFound', `${t.plural} "${name}" not found`, { name, kind: t.plural }));
        return;
      }
      reply(200, s.obj);
      return;
    }
    const selector = parseFieldSelector(query.fieldSelector);
    if (typeof selector === 'string') {
      reply(400, status(400, 'BadRequest', selector));
      return;
    }
    // A watch streams single objects, a list returns a list: each form must be asked for as such.
    const wanted = watch ? PARTIAL_OBJECT : PARTIAL_LIST;
    const metadataOnly = forms.includes(wanted);
    if (!metadataOnly && !plain) {
      reply(406, status(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/json;as=${wanted};g=meta.k8s.io;v=v1`));
      return;
    }
    if (watch) this.serveWatch(t, namespace, selector, metadataOnly, query, entry, res);
    else this.serveList(t, namespace, selector, metadataOnly, query, reply);
  }

  private partial(obj: Obj): Obj {
    return { kind: PARTIAL_OBJECT, apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }

  private serveList(t: ResourceType, namespace: string | null, selector: FieldSelector, metadataOnly: boolean, query: Record<string, string>, reply: (code: number, body: Obj) => void): void {
    let after: string | null = null;
    let listRv = this.rv;
    if (query.continue) {
      let c: { rv?: unknown; start?: unknown };
      try {
        c = JSON.parse(Buffer.from(query.continue, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
      } catch {
        reply(400, status(400, 'BadRequest', 'continue key is not valid'));
        return;
      }
      if (typeof c.rv !== 'number' || typeof c.start !== 'string') {
        reply(400, status(400, 'BadRequest', 'continue key is not valid'));
        return;
      }
      if (c.rv < this.compactedRv) {
        reply(410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'));
        return;
      }
      after = c.start;
      listRv = c.rv;
    }
    const limit = query.limit ? Number(query.limit) : 0;
    const all = [...this.store.get(t.plural)!.values()]
      .filter((s) => this.matches({ namespace, selector }, s.obj))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .filter((s) => after === null || s.key > after);
    const page = limit > 0 ? all.slice(0, limit) : all;
    const more = page.length < all.length;
    const listMeta: Obj = { resourceVersion: String(listRv) };
    if (more) {
      listMeta.continue = Buffer.from(JSON.stringify({ rv: listRv, start: page[page.length - 1].key })).toString('base64url');
      listMeta.remainingItemCount = all.length - page.length;
    }
    if (metadataOnly) {
      reply(200, { kind: PARTIAL_LIST, apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: page.map((s) => this.partial(s.obj)) });
      return;
    }
    // API list items carry no kind or apiVersion: the list's kind says what they are.
    const items = page.map((s) => {
      const copy: Obj = { ...s.obj };
      delete copy.kind;
      delete copy.apiVersion;
      return copy;
    });
    reply(200, { kind: `${t.kind}List`, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata: listMeta, items });
  }

  private serveWatch(t: ResourceType, namespace: string | null, selector: FieldSelector, metadataOnly: boolean, query: Record<string, string>, entry: LoggedRequest, res: ServerResponse): void {
    entry.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const send = (type: string, obj: Obj): void => {
      if (res.writableEnded || res.destroyed) return;
      const o = type === 'ERROR' || type === 'BOOKMARK' || !metadataOnly ? obj : this.partial(obj);
      res.write(`${JSON.stringify({ type, object: o })}\n`);
    };
    const w: OpenWatch = { type: t, namespace, selector, metadataOnly, res, send };
    const rvParam = query.resourceVersion ?? '';
    if (rvParam === '' || rvParam === '0') {
      // "Any" resourceVersion: synthetic ADDED events for what exists, then changes.
      for (const s of this.store.get(t.plural)!.values()) if (this.matches(w, s.obj)) send('ADDED', s.obj);
    } else {
      const from = Number(rvParam);
      if (!Number.isFinite(from) || from < this.compactedRv - 1) {
        send('ERROR', status(410, 'Expired', `too old resource version: ${rvParam} (${this.compactedRv})`));
        res.end();
        return;
      }
      for (const ev of this.history) if (ev.rv > from && ev.resource === t.plural && this.matches(w, ev.obj)) send(ev.type, ev.obj);
    }
    this.watches.add(w);
    const timers: NodeJS.Timeout[] = [];
    const bookmarkKind = metadataOnly ? PARTIAL_OBJECT : t.kind;
    if (query.allowWatchBookmarks === 'true') {
      timers.push(setInterval(() => {
        send('BOOKMARK', { kind: bookmarkKind, apiVersion: metadataOnly ? 'meta.k8s.io/v1' : entry.path.startsWith('/api/') ? 'v1' : `${t.group}/${t.version}`, metadata: { resourceVersion: String(this.rv) } });
      }, this.bookmarkIntervalMs));
    }
    if (query.timeoutSeconds) timers.push(setTimeout(() => res.end(), Number(query.timeoutSeconds) * 1000));
    const done = (): void => {
      for (const x of timers) clearTimeout(x);
      this.watches.delete(w);
    };
    res.on('close', done);
    res.on('finish', done);
  }

  private selfSubjectAccessReview(req: IncomingMessage, grant: TokenGrant, reply: (code: number, body: Obj) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Obj;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj;
      } catch {
        reply(400, status(400, 'BadRequest', 'body is not JSON'));
        return;
      }
      const spec = isObj(body.spec) ? body.spec : {};
      const ra = isObj(spec.resourceAttributes) ? spec.resourceAttributes : null;
      let allowed = false;
      if (ra) {
        const t = TYPES.find((x) => x.plural === ra.resource && x.group === (ra.group ?? ''));
        allowed = t !== undefined && this.authorize(grant, String(ra.verb), t, typeof ra.name === 'string' && ra.name ? ra.name : null);
      }
      reply(201, {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: {},
        spec,
        status: allowed ? { allowed: true, reason: 'stand-in: allowed by token rules' } : { allowed: false },
      });
    });
  }
}
