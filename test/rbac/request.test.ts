// Request attributes: requestinfo_test.go (k8s.io/apiserver) row by row, kubectl-style resource names, and the exec version rule.
import { describe, expect, it } from 'vitest';
import {
  execAcceptsGet, isExecLike, nonResourceRequest, requestForHttp, resolveResource, resourceRequest, verbForHttp,
} from '../../src/rbac/request.js';

// staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo_test.go at commit 0f9987650cca2f24787e4cd38d257b77aabf68db
// (apiPrefix, apiVersion and parts are not part of our RequestAttributes and are not compared).
describe('requestinfo_test.go TestGetAPIRequestInfo (k8s.io/apiserver pkg/endpoints/request)', () => {
  // method, url, verb, apiGroup, namespace, resource, subresource, name (Go's "" is null here).
  it.each([
    // resource paths
    ['GET', '/api/v1/namespaces', 'list', '', '', 'namespaces', '', ''],
    ['GET', '/api/v1/namespaces/other', 'get', '', 'other', 'namespaces', '', 'other'],
    ['GET', '/api/v1/namespaces/other/pods', 'list', '', 'other', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get', '', 'other', 'pods', '', 'foo'],
    ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get', '', 'other', 'pods', '', 'foo'],
    ['GET', '/api/v1/pods', 'list', '', '', 'pods', '', ''],
    ['HEAD', '/api/v1/pods', 'list', '', '', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get', '', 'other', 'pods', '', 'foo'],
    ['GET', '/api/v1/namespaces/other/pods', 'list', '', 'other', 'pods', '', ''],
    // special verbs
    ['GET', '/api/v1/proxy/namespaces/other/pods/foo', 'proxy', '', 'other', 'pods', '', 'foo'],
    ['GET', '/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource', 'proxy', '', 'other', 'pods', '', 'foo'],
    ['GET', '/api/v1/watch/pods', 'watch', '', '', 'pods', '', ''],
    ['GET', '/api/v1/pods?watch=true', 'watch', '', '', 'pods', '', ''],
    ['GET', '/api/v1/pods?watch=false', 'list', '', '', 'pods', '', ''],
    ['GET', '/api/v1/watch/namespaces/other/pods', 'watch', '', 'other', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/other/pods?watch=1', 'watch', '', 'other', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/other/pods?watch=0', 'list', '', 'other', 'pods', '', ''],
    // subresource identification
    ['GET', '/api/v1/namespaces/other/pods/foo/status', 'get', '', 'other', 'pods', 'status', 'foo'],
    ['GET', '/api/v1/namespaces/other/pods/foo/proxy/subpath', 'get', '', 'other', 'pods', 'proxy', 'foo'],
    ['PUT', '/api/v1/namespaces/other/finalize', 'update', '', 'other', 'namespaces', 'finalize', 'other'],
    ['PUT', '/api/v1/namespaces/other/status', 'update', '', 'other', 'namespaces', 'status', 'other'],
    // verb identification
    ['PATCH', '/api/v1/namespaces/other/pods/foo', 'patch', '', 'other', 'pods', '', 'foo'],
    ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete', '', 'other', 'pods', '', 'foo'],
    ['POST', '/api/v1/namespaces/other/pods', 'create', '', 'other', 'pods', '', ''],
    // deletecollection verb identification
    ['DELETE', '/api/v1/nodes', 'deletecollection', '', '', 'nodes', '', ''],
    ['DELETE', '/api/v1/namespaces', 'deletecollection', '', '', 'namespaces', '', ''],
    ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection', '', 'other', 'pods', '', ''],
    ['DELETE', '/apis/extensions/v1/namespaces/other/pods', 'deletecollection', 'extensions', 'other', 'pods', '', ''],
    // api group identification
    ['POST', '/apis/extensions/v1/namespaces/other/pods', 'create', 'extensions', 'other', 'pods', '', ''],
    // api version identification
    ['POST', '/apis/extensions/v1beta3/namespaces/other/pods', 'create', 'extensions', 'other', 'pods', '', ''],
  ])('%s %s → %s', (method, url, verb, apiGroup, namespace, resource, subresource, name) => {
    expect(requestForHttp(method, url)).toEqual({
      kind: 'resource', verb, apiGroup, resource, subresource, name: name || null, namespace: namespace || null,
    });
  });

  it.each([
    ['no resource path', '/'],
    ['just apiversion', '/api/version/'],
    ['just prefix, group, version', '/apis/group/version/'],
    ['apiversion with no resource', '/api/version/'],
    ['bad prefix', '/badprefix/version/resource'],
    ['missing api group', '/apis/version/resource'],
  ])('error case "%s" (%s) is a non-resource request', (_name, url) => {
    expect(requestForHttp('GET', url).kind).toBe('nonResource');
  });
});

describe('requestinfo_test.go TestGetNonAPIRequestInfo', () => {
  it.each([
    ['simple groupless', '/api/version/resource', true],
    ['simple group', '/apis/group/version/resource/name/subresource', true],
    ['more steps', '/api/version/resource/name/subresource', true],
    ['group list', '/apis/batch/v1/job', true],
    ['group get', '/apis/batch/v1/job/foo', true],
    ['group subresource', '/apis/batch/v1/job/foo/scale', true],
    ['bad root', '/not-api/version/resource', false],
    ['group without enough steps', '/apis/extensions/v1beta1', false],
    ['group without enough steps 2', '/apis/extensions/v1beta1/', false],
    ['not enough steps', '/api/version', false],
    ['one step', '/api', false],
    ['zero step', '/', false],
    ['empty', '', false],
  ] as [string, string, boolean][])('%s: %s → resource request %s', (_name, url, expected) => {
    expect(requestForHttp('GET', url).kind === 'resource').toBe(expected);
  });

  it.each([
    ['GET', '/healthz', 'get'],
    ['GET', '/version', 'get'],
    ['POST', '/api', 'post'],
    ['PUT', '/apis/batch', 'put'],
  ])('%s %s is non-resource with verb %s (the lower-case method) and the path kept', (method, url, verb) => {
    expect(requestForHttp(method, url)).toEqual(nonResourceRequest(verb, url));
  });
});

describe('requestinfo_test.go TestSelectorParsing (the name a list/watch carries)', () => {
  it.each([
    ['no selector', 'GET', '/apis/group/version/resource', '', 'list'],
    ['metadata.name selector', 'GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1', 'name1', 'list'],
    ['metadata.name selector with watch', 'GET', '/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1', 'name1', 'watch'],
    ['random selector', 'GET', '/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux', '', 'list'],
    ['invalid selector with metadata.name', 'GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo', '', 'list'],
    ['invalid selector with metadata.name with watch', 'GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true', '', 'watch'],
    ['invalid selector with metadata.name with watch false', 'GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false', '', 'list'],
    ['selector on deletecollection is honored', 'DELETE', '/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux', '', 'deletecollection'],
    ['selector on repeated param matches parsed param', 'GET', '/apis/group/version/resource?fieldSelector=metadata.name=foo&fieldSelector=metadata.name=bar&labelSelector=foo=bar&labelSelector=foo=baz', 'foo', 'list'],
    ['selector on other verb is ignored', 'GET', '/apis/group/version/resource/name?fieldSelector=foo=bar&labelSelector=foo=bar', 'name', 'get'],
    ['selector on deprecated root type watch is not parsed', 'GET', '/apis/group/version/watch/resource?fieldSelector=metadata.name=foo&labelSelector=foo=bar', '', 'watch'],
    ['selector on deprecated root item watch is not parsed', 'GET', '/apis/group/version/watch/resource/name?fieldSelector=metadata.name=foo&labelSelector=foo=bar', 'name', 'watch'],
  ])('%s', (_name, method, url, name, verb) => {
    const r = requestForHttp(method, url);
    expect(r.kind === 'resource' && { verb: r.verb, name: r.name }).toEqual({ verb, name: name || null });
  });

  // fields.ParseSelector / RequiresExactMatch / path.IsValidPathSegmentName details, beyond the Go table.
  it.each([
    ['== is an exact match too', '?fieldSelector=metadata.name%3D%3Dweb', 'web'],
    ['!= is not an exact match', '?fieldSelector=metadata.name!%3Dweb', null],
    ['percent-encoded selector', '?fieldSelector=metadata.name%3Dweb', 'web'],
    ['one exact metadata.name among other terms', '?fieldSelector=spec.nodeName%3Dn1,metadata.name%3Dweb', 'web'],
    ['escaped comma in the value', '?fieldSelector=metadata.name%3Dw%5C%2Ceb', 'w,eb'],
    ['unknown escape: the selector does not parse', '?fieldSelector=metadata.name%3Dw%5Cxeb', null],
    ['a name with / is not a valid path segment', '?fieldSelector=metadata.name%3Da%2Fb', null],
    ['".." is not a valid name', '?fieldSelector=metadata.name%3D..', null],
    ['empty value', '?fieldSelector=metadata.name%3D', null],
    ['other field only', '?fieldSelector=metadata.namespace%3Dweb', null],
  ])('%s', (_name, query, name) => {
    const r = requestForHttp('GET', `/api/v1/namespaces/ns/secrets${query}`);
    expect(r.kind === 'resource' && r.name).toBe(name);
  });

  it('a named GET with ?watch=true stays get (watch applies only to collections)', () => {
    expect(requestForHttp('GET', '/api/v1/namespaces/ns/pods/web?watch=true')).toMatchObject({ verb: 'get', name: 'web' });
    expect(verbForHttp('GET', { resourceRequest: true, hasName: true, watch: true })).toBe('get');
  });

  it.each([
    ['?watch=yes', 'watch'],
    ['?watch=', 'watch'],
    ['?watch=FALSE', 'list'],
    ['?watch=0', 'list'],
    ['?watchx=true', 'list'],
  ])('watch value %s → %s (any value but false/0 means watch)', (q, verb) => {
    expect(requestForHttp('GET', `/api/v1/pods${q}`)).toMatchObject({ verb });
  });
});

describe('requestinfo.go: names that requests carry (rbac-semantics.md "Request attributes")', () => {
  it.each([
    ['POST to a collection has no name', 'POST', '/api/v1/namespaces/ns/pods', { verb: 'create', name: null }],
    ['POST pods/NAME/exec carries the pod name', 'POST', '/api/v1/namespaces/ns/pods/web/exec?command=sh', { verb: 'create', resource: 'pods', subresource: 'exec', name: 'web' }],
    ['POST serviceaccounts/NAME/token carries the SA name', 'POST', '/api/v1/namespaces/ns/serviceaccounts/builder/token', { verb: 'create', resource: 'serviceaccounts', subresource: 'token', name: 'builder' }],
    ['POST pods/NAME/eviction carries the pod name', 'POST', '/api/v1/namespaces/ns/pods/web/eviction', { verb: 'create', subresource: 'eviction', name: 'web' }],
    ['GET /api/v1/namespaces/foo is namespaces foo in namespace foo', 'GET', '/api/v1/namespaces/foo', { verb: 'get', resource: 'namespaces', name: 'foo', namespace: 'foo' }],
    ['PATCH a namespace is in that namespace', 'PATCH', '/api/v1/namespaces/foo', { verb: 'patch', resource: 'namespaces', name: 'foo', namespace: 'foo' }],
    ['a cluster-scoped object has no namespace', 'GET', '/api/v1/nodes/n1/proxy/metrics', { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1', namespace: null }],
    ['an API group path', 'GET', '/apis/apps/v1/namespaces/ns/deployments/web/scale', { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'web', namespace: 'ns' }],
  ])('%s', (_name, method, url, want) => {
    expect(requestForHttp(method, url)).toMatchObject(want);
  });

  it('resourceRequest gives a request on a Namespace object its own namespace', () => {
    expect(resourceRequest('get', '', 'namespaces', { name: 'foo' }).namespace).toBe('foo');
    expect(resourceRequest('list', '', 'namespaces').namespace).toBeNull();
    expect(resourceRequest('get', 'example.com', 'namespaces', { name: 'foo' }).namespace).toBeNull();
  });

  it.each([
    ['POST', false, 'create'], ['GET', true, 'get'], ['GET', false, 'list'], ['HEAD', false, 'list'], ['PUT', true, 'update'],
    ['PATCH', true, 'patch'], ['DELETE', true, 'delete'], ['DELETE', false, 'deletecollection'], ['get', true, 'get'],
  ] as [string, boolean, string][])('verbForHttp(%s, hasName=%s) = %s', (method, hasName, verb) => {
    expect(verbForHttp(method, { resourceRequest: true, hasName })).toBe(verb);
  });

  it('verbForHttp of a non-resource request is the lower-case method', () => {
    expect(verbForHttp('OPTIONS', { resourceRequest: false, hasName: false })).toBe('options');
  });
});

describe('resolveResource: RESOURCE as kubectl resolves it (interface.md who-can)', () => {
  it.each([
    ['pods', '', 'pods', '', false],
    ['pods/exec', '', 'pods', 'exec', false],
    ['pod', '', 'pods', '', false],
    ['Pods', '', 'pods', '', false],
    ['secrets', '', 'secrets', '', false],
    ['deployments', 'apps', 'deployments', '', false],
    ['deployment', 'apps', 'deployments', '', false],
    ['deployments.apps', 'apps', 'deployments', '', false],
    ['deployments.apps/scale', 'apps', 'deployments', 'scale', false],
    ['deployments.extensions', 'extensions', 'deployments', '', false],
    ['cronjobs', 'batch', 'cronjobs', '', false],
    ['clusterroles', 'rbac.authorization.k8s.io', 'clusterroles', '', false],
    ['ingresses', 'networking.k8s.io', 'ingresses', '', false],
    ['ingress', 'networking.k8s.io', 'ingresses', '', false],
    ['networkpolicy', 'networking.k8s.io', 'networkpolicies', '', false],
    ['serviceaccounts/token', '', 'serviceaccounts', 'token', false],
    ['nodes/proxy', '', 'nodes', 'proxy', false],
    ['signers', 'certificates.k8s.io', 'signers', '', false],
    ['widgets.example.com', 'example.com', 'widgets', '', false],
    ['widgets', '', 'widgets', '', true],
    ['constructor', '', 'constructor', '', true],
    ['toString', '', 'tostring', '', true],
  ] as [string, string, string, string, boolean][])('%s → group "%s", %s/%s (unknown: %s)', (spec, apiGroup, resource, subresource, unknown) => {
    expect(resolveResource(spec)).toMatchObject({ apiGroup, resource, subresource, unknown });
  });

  it.each([
    ['po', 'pods', ''], ['deploy', 'deployments', 'apps'], ['svc', 'services', ''], ['sa', 'serviceaccounts', ''],
    ['cm', 'configmaps', ''], ['ns', 'namespaces', ''], ['no', 'nodes', ''], ['ds', 'daemonsets', 'apps'],
    ['sts', 'statefulsets', 'apps'], ['rs', 'replicasets', 'apps'], ['rc', 'replicationcontrollers', ''], ['cj', 'cronjobs', 'batch'],
    ['pv', 'persistentvolumes', ''], ['pvc', 'persistentvolumeclaims', ''], ['netpol', 'networkpolicies', 'networking.k8s.io'],
    ['csr', 'certificatesigningrequests', 'certificates.k8s.io'], ['po/exec', 'pods', ''],
  ])('short name %s → %s in group "%s"', (short, resource, apiGroup) => {
    expect(resolveResource(short)).toMatchObject({ resource, apiGroup, unknown: false });
  });

  it.each([
    ['nodes', true], ['namespaces', true], ['persistentvolumes', true], ['clusterroles', true], ['users', true],
    ['pods', false], ['secrets', false], ['roles', false], ['deployments.apps', false], ['widgets.example.com', false],
  ] as [string, boolean][])('%s is cluster-scoped: %s', (spec, clusterScoped) => {
    expect(resolveResource(spec).clusterScoped).toBe(clusterScoped);
  });
});

describe('execAcceptsGet: pods/exec and pods/attach accept `get` before 1.35', () => {
  it.each([
    [null, true], ['', true], ['v1.34.2', true], ['1.34', true], ['v1.30.14-eks-abcdef', true], ['v1.35.0', false],
    ['1.35', false], ['v1.36.1-gke.100', false], ['v2.0.0', false], ['v0.99', true], ['not-a-version', true],
  ] as [string | null, boolean][])('version %s → %s', (version, want) => {
    expect(execAcceptsGet(version)).toBe(want);
  });

  it.each([
    [resourceRequest('create', '', 'pods', { subresource: 'exec' }), true],
    [resourceRequest('create', '', 'pods', { subresource: 'attach' }), true],
    [resourceRequest('create', '', 'pods', { subresource: 'portforward' }), false],
    [resourceRequest('create', 'example.com', 'pods', { subresource: 'exec' }), false],
    [nonResourceRequest('get', '/exec'), false],
  ])('isExecLike #%#', (req, want) => {
    expect(isExecLike(req)).toBe(want);
  });
});
