// CLOUD_IDENTITY: service accounts that are cloud identities, and cloud identities that are Kubernetes users (EKS aws-auth).

import { groupId, saId, userId } from '../../ids.js';
import { ALL_AUTHENTICATED, splitSaUsername } from '../../rbac/subjects.js';
import { defineTechnique } from '../technique.js';

/** ServiceAccount annotations that federate it with a cloud identity (EKS IRSA, GKE and Azure workload identity). */
export const CLOUD_ANNOTATIONS: ReadonlyArray<[annotation: string, what: string]> = [
  ['eks.amazonaws.com/role-arn', 'AWS IAM role'],
  ['iam.gke.io/gcp-service-account', 'GCP service account'],
  ['azure.workload.identity/client-id', 'Azure managed identity'],
];

export const AWS_AUTH = 'ConfigMap:kube-system/aws-auth';

export const cloudIdentityId = (value: string): string => `CloudIdentity:${value}`;

/**
 * An IAM role ARN as EKS compares it: aws-auth must name roles without their path, and the
 * authenticator drops the path of the role a caller assumed, so `role/a/b/name` is `role/name`.
 */
export function canonicalArn(arn: string): string {
  const m = /^(arn:[^:]+:iam::[^:]*:role\/)(.+)$/.exec(arn.trim());
  if (!m) return arn.trim();
  return m[1] + m[2].slice(m[2].lastIndexOf('/') + 1);
}

/** aws-iam-authenticator fills `{{EC2PrivateDNSName}}`, `{{SessionName}}`, `{{AccountID}}`, ... per request. */
const TEMPLATE = /\{\{[^}]*\}\}/;

export default defineTechnique({
  meta: {
    id: 'CLOUD_IDENTITY',
    title: 'Cloud identity of a service account',
    severity: 'medium',
    mitre: 'T1078.004',
    rationale:
      'A service account annotated eks.amazonaws.com/role-arn, iam.gke.io/gcp-service-account or ' +
      'azure.workload.identity/client-id exchanges its token for that cloud identity\'s credentials: whoever is ' +
      'the service account is the IAM role or cloud service account too. On EKS, the aws-auth ConfigMap maps IAM ' +
      'roles and users to a Kubernetes username and groups (system:masters among them), so a cloud identity can ' +
      'lead back into the cluster with more than the service account had.',
  },
  reads: ['serviceAccounts', 'awsAuth'],
  *derive(ctx) {
    for (const sa of ctx.snapshot.serviceAccounts) {
      for (const [annotation, what] of CLOUD_ANNOTATIONS) {
        const value = sa.annotations[annotation]?.trim();
        if (!value) continue;
        const to = cloudIdentityId(annotation === CLOUD_ANNOTATIONS[0][0] ? canonicalArn(value) : value);
        yield { from: sa.id, to, evidence: [sa.id], explanation: `is annotated ${annotation}, so its token is exchanged for the credentials of ${what} ${value}` };
      }
    }
    const auth = ctx.snapshot.awsAuth;
    if (!auth) return;
    for (const [kind, mappings] of [['role', auth.mapRoles], ['user', auth.mapUsers]] as const) {
      for (const m of mappings) {
        const from = cloudIdentityId(kind === 'role' ? canonicalArn(m.arn) : m.arn.trim());
        const how = `aws-auth maps IAM ${kind} ${m.arn}`;
        // A templated name is filled in per request (a node's DNS name, the session name): it is never
        // the literal user, and no binding can name it, so it leads nowhere; the groups still apply.
        if (m.username && !TEMPLATE.test(m.username)) {
          // A service account's username is matched as that service account (rbac-semantics.md, "Subjects").
          const sa = splitSaUsername(m.username);
          yield { from, to: sa ? saId(sa[0], sa[1]) : userId(m.username), evidence: [AWS_AUTH], explanation: `${how} to user ${m.username}` };
        }
        // Whatever the mapping names, the identity is authenticated (MEMBER_OF knows only users bindings name).
        for (const g of [...new Set([...m.groups, ALL_AUTHENTICATED])]) {
          if (!g || TEMPLATE.test(g)) continue;
          const why = m.groups.includes(g) ? `${how} to group ${g}` : `${how}, and every identity it authenticates is in ${g}`;
          yield { from, to: groupId(g), evidence: [AWS_AUTH], explanation: why };
        }
      }
    }
  },
});
