// Algebraic properties of matching, covers and the authorizer, checked with fast-check on small alphabets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { covers } from '../../src/rbac/covers.js';
import { ruleAllows } from '../../src/rbac/match.js';
import { resourceRequest, nonResourceRequest, type RequestAttributes } from '../../src/rbac/request.js';
import { identityOf } from '../../src/rbac/subjects.js';
import type { PolicyRule } from '../../src/snapshot/types.js';
import { clusterRole, clusterRoleBinding, load, roleBinding, type Obj } from './helpers.js';

// Small alphabets so that generated rules and requests actually meet; wildcards and literal look-alikes included.
const VERBS = ['get', 'list', 'create', 'delete', 'impersonate'];
const GROUPS = ['', 'apps', 'rbac.authorization.k8s.io'];
const RESOURCES = ['pods', 'secrets', 'deployments'];
const SUBS = ['', 'exec', 'log', 'scale'];
const NAMES = ['a', 'b'];
const URLS = ['/', '/api', '/api/v1', '/apis', '/healthz', '/healthz/etcd'];

const ruleVerb = fc.constantFrom(...VERBS, '*', 'GET');
const ruleGroup = fc.constantFrom(...GROUPS, '*', 'core');
const ruleResource = fc.constantFrom('pods', 'secrets', 'deployments', 'pods/exec', 'pods/log', 'deployments/scale', '*', '*/exec', '*/scale', 'pods/*', '*/*');
const ruleURL = fc.constantFrom(...URLS, '*', '/api/*', '/api*', '/healthz/*', '/*');
const uniq = <T>(a: fc.Arbitrary<T>, max: number) => fc.uniqueArray(a, { minLength: 1, maxLength: max });

const resourceRule: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: uniq(ruleVerb, 3),
  apiGroups: uniq(ruleGroup, 2),
  resources: uniq(ruleResource, 3),
  resourceNames: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 2 }),
  nonResourceURLs: fc.constant([] as string[]),
});
const urlRule: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: uniq(ruleVerb, 3),
  apiGroups: fc.constant([] as string[]),
  resources: fc.constant([] as string[]),
  resourceNames: fc.constant([] as string[]),
  nonResourceURLs: uniq(ruleURL, 3),
});
const anyRule = fc.oneof(resourceRule, urlRule);

const request: fc.Arbitrary<RequestAttributes> = fc.oneof(
  fc.record({
    verb: fc.constantFrom(...VERBS), group: fc.constantFrom(...GROUPS), resource: fc.constantFrom(...RESOURCES),
    sub: fc.constantFrom(...SUBS), name: fc.option(fc.constantFrom(...NAMES, 'c'), { nil: null }), ns: fc.option(fc.constantFrom('ns1', 'ns2'), { nil: null }),
  }).map((r) => resourceRequest(r.verb, r.group, r.resource, { subresource: r.sub, name: r.name, namespace: r.ns })),
  fc.record({ verb: fc.constantFrom(...VERBS), url: fc.constantFrom(...URLS) }).map((r) => nonResourceRequest(r.verb, r.url)),
);

/** The single atom a request asks for, in covers' terms. */
function atomOf(req: RequestAttributes): PolicyRule {
  if (req.kind === 'nonResource') return { verbs: [req.verb], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [req.path] };
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  return { verbs: [req.verb], apiGroups: [req.apiGroup], resources: [resource], resourceNames: req.name === null ? [] : [req.name], nonResourceURLs: [] };
}

const RUNS = { numRuns: 400 };

describe('covers (policy_comparator.go) is a preorder', () => {
  it('is reflexive: every set of rules covers itself', () => {
    fc.assert(fc.property(fc.array(anyRule, { maxLength: 3 }), (rules) => covers(rules, rules).covers), RUNS);
  });

  it('is transitive: A covers B and B covers C ⇒ A covers C', () => {
    fc.assert(fc.property(fc.array(anyRule, { maxLength: 2 }), fc.array(anyRule, { maxLength: 2 }), fc.array(anyRule, { maxLength: 2 }), (a, b, c) => {
      fc.pre(covers(a, b).covers && covers(b, c).covers);
      return covers(a, c).covers;
    }), { numRuns: 2000 });
  });

  it('grows with the owner: adding owner rules never uncovers anything', () => {
    fc.assert(fc.property(fc.array(anyRule, { maxLength: 3 }), anyRule, fc.array(anyRule, { maxLength: 3 }), (owner, extra, servant) => {
      fc.pre(covers(owner, servant).covers);
      return covers([...owner, extra], servant).covers;
    }), RUNS);
  });

  it('uncovered atoms are exactly the servant atoms no owner rule covers (covers ⇔ no uncovered)', () => {
    fc.assert(fc.property(fc.array(anyRule, { maxLength: 3 }), fc.array(anyRule, { maxLength: 3 }), (owner, servant) => {
      const r = covers(owner, servant);
      return r.covers === (r.uncovered.length === 0) && r.uncovered.every((u) => !covers(owner, [u]).covers);
    }), RUNS);
  });
});

describe('RuleAllows (evaluation_helpers.go) is monotone and agrees with covers', () => {
  const widen = (r: PolicyRule, field: 'verbs' | 'apiGroups' | 'resources' | 'nonResourceURLs', value: string): PolicyRule => ({ ...r, [field]: [...r[field], value] });

  it('adding a verb to a rule never removes a match', () => {
    fc.assert(fc.property(anyRule, fc.constantFrom(...VERBS, '*'), request, (r, v, req) => !ruleAllows(r, req) || ruleAllows(widen(r, 'verbs', v), req)), RUNS);
  });

  it('adding an apiGroup, a resource or a URL never removes a match', () => {
    fc.assert(fc.property(anyRule, ruleGroup, ruleResource, ruleURL, request, (r, g, res, u, req) => {
      if (!ruleAllows(r, req)) return true;
      return ruleAllows(widen(r, 'apiGroups', g), req) && ruleAllows(widen(r, 'resources', res), req) && ruleAllows(widen(r, 'nonResourceURLs', u), req);
    }), RUNS);
  });

  it('giving a rule resourceNames never widens it (an empty list is any name; a list only restricts)', () => {
    fc.assert(fc.property(resourceRule, fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1 }), request, (r, names, req) => {
      const anyName = { ...r, resourceNames: [] };
      return !ruleAllows({ ...r, resourceNames: names }, req) || ruleAllows(anyName, req);
    }), RUNS);
  });

  it('a rule allows a request exactly when it covers the request\'s atom', () => {
    fc.assert(fc.property(anyRule, request, (r, req) => ruleAllows(r, req) === covers([r], [atomOf(req)]).covers), { numRuns: 2000 });
  });

  it('a request without a name never matches a rule that lists names', () => {
    fc.assert(fc.property(resourceRule, request, (r, req) => {
      fc.pre(r.resourceNames.length > 0 && req.kind === 'resource' && req.name === null);
      return !ruleAllows(r, req);
    }), RUNS);
  });
});

// Random small clusters, read through the real ingest: the authorizer and who-can must agree.
const SUBJECTS = ['User:alice', 'User:bob', 'Group:dev', 'Group:system:authenticated', 'ServiceAccount:ns1/sa', 'ServiceAccount:sa', 'User:system:serviceaccount:ns2:sa'];
const IDENTITIES = ['User:alice', 'User:bob', 'ServiceAccount:ns1/sa', 'ServiceAccount:ns2/sa', 'User:system:anonymous', 'Group:dev'];
const yamlRule = (r: PolicyRule): Obj => (r.nonResourceURLs.length > 0 ? { verbs: r.verbs, nonResourceURLs: r.nonResourceURLs } : { verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames });
const binding = fc.record({
  role: fc.constantFrom('r0', 'r1', 'r2'),
  ns: fc.option(fc.constantFrom('ns1', 'ns2'), { nil: null }),
  subjects: fc.uniqueArray(fc.constantFrom(...SUBJECTS), { minLength: 1, maxLength: 3 }),
});
const cluster = fc.record({ roles: fc.tuple(fc.array(anyRule, { maxLength: 2 }), fc.array(anyRule, { maxLength: 2 }), fc.array(anyRule, { maxLength: 2 })), bindings: fc.array(binding, { maxLength: 4 }) });

function objectsOf(c: { roles: PolicyRule[][]; bindings: { role: string; ns: string | null; subjects: string[] }[] }): Obj[] {
  const objs: Obj[] = c.roles.map((rs, i) => clusterRole(`r${i}`, rs.map(yamlRule)));
  c.bindings.forEach((b, i) => objs.push(b.ns === null ? clusterRoleBinding(b.role, b.subjects, { name: `b${i}` }) : roleBinding(b.ns, b.role, 'ClusterRole', b.subjects, `b${i}`)));
  return objs;
}

describe('the authorizer over random clusters', () => {
  it('who-can and authorize agree: an identity is allowed iff its user, SA or one of its groups is listed', () => {
    fc.assert(fc.property(cluster, request, (c, req) => {
      const { index } = load(objectsOf(c));
      const listed = new Set(index.whoCan(req).subjects.map((s) => s.subject));
      return IDENTITIES.every((id) => {
        const u = identityOf(id);
        const keys = [u.name && `User:${u.name}`, id.startsWith('ServiceAccount:') && id, ...u.groups.map((g) => `Group:${g}`)].filter(Boolean) as string[];
        return index.authorize(u, req).allowed === keys.some((k) => listed.has(k));
      });
    }), { numRuns: 300 });
  });

  it('adding a binding never turns an allowed request into a denied one (RBAC only allows)', () => {
    fc.assert(fc.property(cluster, binding, request, fc.constantFrom(...IDENTITIES), (c, extra, req, id) => {
      const before = load(objectsOf(c)).index.authorize(identityOf(id), req).allowed;
      const after = load(objectsOf({ ...c, bindings: [...c.bindings, extra] })).index.authorize(identityOf(id), req).allowed;
      return !before || after;
    }), { numRuns: 200 });
  });

  it('input order does not change a decision or the snapshot hash', () => {
    fc.assert(fc.property(cluster, request, fc.constantFrom(...IDENTITIES), (c, req, id) => {
      const objs = objectsOf(c);
      const a = load(objs);
      const b = load([...objs].reverse());
      expect(b.snapshot.hash).toBe(a.snapshot.hash);
      return a.index.authorize(identityOf(id), req).allowed === b.index.authorize(identityOf(id), req).allowed;
    }), { numRuns: 200 });
  });

  it('a RoleBinding never allows a request outside its namespace', () => {
    fc.assert(fc.property(cluster, request, fc.constantFrom(...IDENTITIES), (c, req, id) => {
      const onlyRoleBindings = { ...c, bindings: c.bindings.filter((b) => b.ns !== null) };
      const d = load(objectsOf(onlyRoleBindings)).index.authorize(identityOf(id), req);
      return !d.allowed || (req.kind === 'resource' && req.namespace !== null && d.via.every((v) => v.binding!.startsWith(`RoleBinding:${req.namespace}/`)));
    }), { numRuns: 300 });
  });
});
