// Rule matching exactly as pkg/apis/rbac/v1/evaluation_helpers.go and the RBAC authorizer's RuleAllows.

import type { PolicyRule } from '../snapshot/types.js';
import type { RequestAttributes } from './request.js';

export const VERB_ALL = '*';
export const API_GROUP_ALL = '*';
export const RESOURCE_ALL = '*';
export const NON_RESOURCE_ALL = '*';

/** Exact and case-sensitive; `*` matches every verb, `bind`/`escalate`/`impersonate` included. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs) if (v === VERB_ALL || v === verb) return true;
  return false;
}

/** Exact; `""` is the core group only; `*` is every group. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups) if (g === API_GROUP_ALL || g === group) return true;
  return false;
}

/**
 * `*`, the exact `resource[/subresource]`, or `*\/<sub>`. `pods/*` and `*\/*` are literal strings
 * that match no real request; `pods` does not match `pods/log`.
 */
export function resourceMatches(rule: PolicyRule, combinedResource: string, subresource: string): boolean {
  for (const r of rule.resources) {
    if (r === RESOURCE_ALL || r === combinedResource) return true;
    if (subresource.length === 0) continue;
    if (r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No names: any name. Otherwise the request's name must be listed; a request with no name never matches. */
export function resourceNameMatches(rule: PolicyRule, name: string | null): boolean {
  if (rule.resourceNames.length === 0) return true;
  const n = name ?? '';
  for (const rn of rule.resourceNames) if (rn === n) return true;
  return false;
}

/** `*` matches all; a trailing `*` is a prefix match after removing the trailing `*`s; else exact. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === NON_RESOURCE_ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(trimRightStars(u))) return true;
  }
  return false;
}

export function trimRightStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 42) end--;
  return s.slice(0, end);
}

export function combinedResource(resource: string, subresource: string): string {
  return subresource ? `${resource}/${subresource}` : resource;
}

/** RuleAllows: resource requests need verb+group+resource+name; non-resource requests verb+URL. */
export function ruleAllows(rule: PolicyRule, req: RequestAttributes): boolean {
  if (req.kind === 'resource') {
    return (
      verbMatches(rule, req.verb) &&
      apiGroupMatches(rule, req.apiGroup) &&
      resourceMatches(rule, combinedResource(req.resource, req.subresource), req.subresource) &&
      resourceNameMatches(rule, req.name)
    );
  }
  return verbMatches(rule, req.verb) && nonResourceURLMatches(rule, req.path);
}

/** Matches everything but resourceNames: used to report permissions held only for named objects. */
export function ruleAllowsIgnoringNames(rule: PolicyRule, req: RequestAttributes): boolean {
  if (req.kind !== 'resource') return false;
  return (
    verbMatches(rule, req.verb) &&
    apiGroupMatches(rule, req.apiGroup) &&
    resourceMatches(rule, combinedResource(req.resource, req.subresource), req.subresource)
  );
}
