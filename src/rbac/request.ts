// Request attributes as the API server derives them (k8s.io/apiserver requestinfo.go), and kubectl-style resource names.

export interface ResourceRequest {
  kind: 'resource';
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  /** null: no name (create on a collection, list/watch without a name selector, deletecollection). */
  name: string | null;
  /** null: cluster-scoped request. */
  namespace: string | null;
}

export interface NonResourceRequest {
  kind: 'nonResource';
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceRequest | NonResourceRequest;

export function resourceRequest(
  verb: string, apiGroup: string, resource: string, opts: { subresource?: string; name?: string | null; namespace?: string | null } = {},
): ResourceRequest {
  const subresource = opts.subresource ?? '';
  const name = opts.name ?? null;
  let namespace = opts.namespace ?? null;
  // A request on a Namespace object has that namespace (requestinfo.go: /namespaces/{name}[/status|/finalize]).
  if (apiGroup === '' && resource === 'namespaces' && name !== null) namespace = name;
  return { kind: 'resource', verb, apiGroup, resource, subresource, name, namespace };
}

export function nonResourceRequest(verb: string, path: string): NonResourceRequest {
  return { kind: 'nonResource', verb, path };
}

/**
 * Verb of an HTTP request (requestinfo.go): POST create; GET/HEAD get, list without a name, watch
 * with `?watch`; PUT update; PATCH patch; DELETE delete, deletecollection without a name. A
 * non-resource request's verb is the lower-case method.
 */
export function verbForHttp(method: string, opts: { resourceRequest: boolean; hasName: boolean; watch?: boolean }): string {
  const m = method.toUpperCase();
  if (!opts.resourceRequest) return m.toLowerCase();
  switch (m) {
    case 'POST': return 'create';
    // requestinfo.go turns get into list/watch only when the path names no object: a named GET stays get.
    case 'GET':
    case 'HEAD': return opts.hasName ? 'get' : opts.watch ? 'watch' : 'list';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return opts.hasName ? 'delete' : 'deletecollection';
    default: return m.toLowerCase();
  }
}

/** requestinfo.go: verbs given as a path prefix (`/api/v1/watch/pods`); `proxy` takes no subresource. */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * Request attributes of an API path, as requestinfo.go (NewRequestInfo) derives them: `/api/v1/...`
 * and `/apis/<group>/<v>/...` are resource requests, anything else non-resource.
 */
export function requestForHttp(method: string, url: string): RequestAttributes {
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const parts = pathPart.split('/').filter((p) => p.length > 0);
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return nonResourceRequest(method.toLowerCase(), pathPart || '/');
  }
  // `/watch/...` and `/proxy/...` set the verb themselves (requestinfo.go specialVerbs); such requests
  // take no list options, so neither ?watch nor a fieldSelector changes them.
  let specialVerb: string | null = null;
  if (SPECIAL_VERBS.has(rest[0]) && rest.length >= 2) {
    specialVerb = rest[0];
    rest = rest.slice(1);
  }
  let namespace: string | null = null;
  // /namespaces/{ns}/{resource}...; /namespaces/{name}[/status|/finalize] is the Namespace object.
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const pathName: string | null = rest.length > 1 ? rest[1] : null;
  const subresource = specialVerb === 'proxy' ? '' : rest[2] ?? '';
  if (specialVerb) return { kind: 'resource', verb: specialVerb, apiGroup: group, resource, subresource, name: pathName, namespace };
  // Any ?watch value but "false"/"0" is true (apimachinery Convert_Slice_string_To_bool).
  const w = query.get('watch');
  const watch = w !== null && w.toLowerCase() !== 'false' && w !== '0';
  const verb = verbForHttp(method, { resourceRequest: true, hasName: pathName !== null, watch });
  let name: string | null = pathName;
  // list/watch carry a name only through an exact metadata.name field selector.
  if (name === null && (verb === 'list' || verb === 'watch')) name = nameFromFieldSelector(query.get('fieldSelector'));
  return { kind: 'resource', verb, apiGroup: group, resource, subresource, name, namespace };
}

/**
 * The name a list/watch is limited to: `RequiresExactMatch("metadata.name")` of the parsed field
 * selector (k8s.io/apimachinery fields/selector.go), kept only if it is a valid path segment
 * (requestinfo.go). A selector that does not parse gives no name (`metadata.name=a,foo`).
 */
function nameFromFieldSelector(selector: string | null): string | null {
  if (!selector) return null;
  // splitTerms: split on commas not escaped by a backslash; parseSelector sorts the terms.
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    if (selector[i] === '\\') i++;
    else if (selector[i] === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  terms.sort();
  let name: string | null = null;
  for (const term of terms) {
    if (term === '') continue;
    // splitTerm: the first of "!=", "==", "=" at the lowest index.
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m) return null;
    const value = unescapeFieldValue(m[3]);
    if (value === null) return null;
    if (name === null && m[1] === 'metadata.name' && m[2] !== '!=') name = value;
  }
  if (name === null || name === '' || name === '.' || name === '..' || /[/%]/.test(name)) return null;
  return name;
}

/** fields.UnescapeValue: `\\`, `\,`, `\=` are escapes; any other escape or a bare `,`/`=` is an error. */
function unescapeFieldValue(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1];
      if (n !== '\\' && n !== ',' && n !== '=') return null;
      out += n;
      i++;
    } else if (c === ',' || c === '=') return null;
    else out += c;
  }
  return out;
}

interface KnownResource {
  group: string;
  namespaced: boolean;
}

/** Built-in resources, as discovery on a current cluster names them. */
export const KNOWN_RESOURCES: Record<string, KnownResource> = (() => {
  // No prototype: `constructor` or `toString` must resolve as unknown names, not as Object's members.
  const t: Record<string, KnownResource> = Object.create(null) as Record<string, KnownResource>;
  const add = (group: string, namespaced: boolean, names: string): void => {
    for (const n of names.split(/\s+/).filter(Boolean)) t[n] = { group, namespaced };
  };
  add('', true, 'pods services secrets configmaps serviceaccounts endpoints events limitranges resourcequotas replicationcontrollers podtemplates persistentvolumeclaims bindings');
  add('', false, 'namespaces nodes persistentvolumes componentstatuses users groups');
  add('apps', true, 'deployments daemonsets statefulsets replicasets controllerrevisions');
  add('batch', true, 'jobs cronjobs');
  add('autoscaling', true, 'horizontalpodautoscalers');
  add('policy', true, 'poddisruptionbudgets');
  add('rbac.authorization.k8s.io', true, 'roles rolebindings');
  add('rbac.authorization.k8s.io', false, 'clusterroles clusterrolebindings');
  add('networking.k8s.io', true, 'networkpolicies ingresses');
  add('networking.k8s.io', false, 'ingressclasses ipaddresses servicecidrs');
  add('discovery.k8s.io', true, 'endpointslices');
  add('coordination.k8s.io', true, 'leases');
  add('storage.k8s.io', false, 'storageclasses volumeattachments csidrivers csinodes');
  add('storage.k8s.io', true, 'csistoragecapacities');
  add('admissionregistration.k8s.io', false, 'mutatingwebhookconfigurations validatingwebhookconfigurations validatingadmissionpolicies validatingadmissionpolicybindings mutatingadmissionpolicies mutatingadmissionpolicybindings');
  add('certificates.k8s.io', false, 'certificatesigningrequests clustertrustbundles signers');
  add('authentication.k8s.io', false, 'tokenreviews selfsubjectreviews userextras uids');
  add('authorization.k8s.io', false, 'subjectaccessreviews selfsubjectaccessreviews selfsubjectrulesreviews');
  add('authorization.k8s.io', true, 'localsubjectaccessreviews');
  add('apiextensions.k8s.io', false, 'customresourcedefinitions');
  add('apiregistration.k8s.io', false, 'apiservices');
  add('scheduling.k8s.io', false, 'priorityclasses');
  add('node.k8s.io', false, 'runtimeclasses');
  add('flowcontrol.apiserver.k8s.io', false, 'flowschemas prioritylevelconfigurations');
  add('resource.k8s.io', true, 'resourceclaims resourceclaimtemplates');
  add('resource.k8s.io', false, 'deviceclasses resourceslices');
  return t;
})();

/** kubectl's short names for built-in kinds. */
export const SHORT_NAMES: Record<string, string> = {
  po: 'pods', deploy: 'deployments', svc: 'services', sa: 'serviceaccounts', cm: 'configmaps', ns: 'namespaces',
  no: 'nodes', ds: 'daemonsets', sts: 'statefulsets', rs: 'replicasets', rc: 'replicationcontrollers',
  cj: 'cronjobs', pv: 'persistentvolumes', pvc: 'persistentvolumeclaims', netpol: 'networkpolicies',
  csr: 'certificatesigningrequests', ep: 'endpoints', ev: 'events', ing: 'ingresses', hpa: 'horizontalpodautoscalers',
  pdb: 'poddisruptionbudgets', crd: 'customresourcedefinitions', crds: 'customresourcedefinitions', limits: 'limitranges',
  quota: 'resourcequotas', sc: 'storageclasses', pc: 'priorityclasses',
};

export interface ResolvedResource {
  apiGroup: string;
  resource: string;
  subresource: string;
  /** Known to be cluster-scoped (a namespace on the request would be meaningless). */
  clusterScoped: boolean;
  /** The name was not recognised; it was kept in the core group. */
  unknown: boolean;
}

/**
 * Resolve RESOURCE as kubectl does: `pods`, `pods/exec`, `deployments.apps`, `deployments.apps/scale`,
 * short names (`po`, `deploy`), singular kinds (`pod`), and bare names of built-in resources in
 * other groups (`deployments` → `apps`). An unknown bare name stays in the core group.
 */
export function resolveResource(spec: string): ResolvedResource {
  const slash = spec.indexOf('/');
  const head = slash < 0 ? spec : spec.slice(0, slash);
  const subresource = slash < 0 ? '' : spec.slice(slash + 1);
  const dot = head.indexOf('.');
  if (dot > 0) {
    const resource = head.slice(0, dot).toLowerCase();
    const apiGroup = head.slice(dot + 1);
    const known = KNOWN_RESOURCES[resource];
    return { apiGroup, resource, subresource, clusterScoped: known?.group === apiGroup && !known.namespaced, unknown: false };
  }
  if (head === '*') return { apiGroup: '', resource: '*', subresource, clusterScoped: false, unknown: false };
  const lower = head.toLowerCase();
  const candidates = [lower, SHORT_NAMES[lower], `${lower}s`, `${lower}es`, lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : undefined];
  for (const c of candidates) {
    if (c && KNOWN_RESOURCES[c]) {
      const k = KNOWN_RESOURCES[c];
      return { apiGroup: k.group, resource: c, subresource, clusterScoped: !k.namespaced, unknown: false };
    }
  }
  return { apiGroup: '', resource: lower, subresource, clusterScoped: false, unknown: true };
}

/** pods/exec and pods/attach: before 1.35 a WebSocket `get` is accepted as well as `create`. */
export function execAcceptsGet(kubernetesVersion: string | null): boolean {
  if (!kubernetesVersion) return true;
  const m = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion);
  if (!m) return true;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major < 1 || (major === 1 && minor < 35);
}

export function isExecLike(req: RequestAttributes): boolean {
  return req.kind === 'resource' && req.apiGroup === '' && req.resource === 'pods' && (req.subresource === 'exec' || req.subresource === 'attach');
}
