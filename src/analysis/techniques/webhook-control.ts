// WEBHOOK_CONTROL: a mutating admission webhook sees and rewrites every pod admitted: every service account.

import { Agg, grantEvidence } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';

const GROUP = 'admissionregistration.k8s.io';
const RESOURCE = 'mutatingwebhookconfigurations';

export default defineTechnique({
  meta: {
    id: 'WEBHOOK_CONTROL',
    title: 'Register or rewrite a mutating admission webhook',
    severity: 'critical',
    mitre: 'T1546',
    rationale:
      'A MutatingWebhookConfiguration sends every matching create or update to a server of the author\'s choice, ' +
      'which may rewrite the object before it is stored. Pointed at pods in every namespace, it can set any ' +
      'pod\'s service account, add containers that read its token, or copy the token out: effectively every ' +
      'service account. Creating one needs create (no name); changing an existing one needs update or patch on ' +
      'it. The configurations are cluster-scoped: only ClusterRoleBindings grant this.',
  },
  reads: [...RBAC_INPUTS, 'webhookConfigurations'],
  *derive(ctx) {
    const existing = new Set(ctx.snapshot.webhookConfigurations.filter((w) => w.kind === 'MutatingWebhookConfiguration').map((w) => w.name));
    for (const g of ctx.grants(['create', 'update', 'patch'], GROUP, RESOURCE)) {
      // A RoleBinding never applies to a cluster-scoped request.
      if (g.scope !== null) continue;
      const verbs = g.rule.verbs.includes('*') ? ['create', 'update', 'patch'] : g.rule.verbs.filter((v) => v === 'create' || v === 'update' || v === 'patch');
      let how: string;
      if (g.rule.resourceNames.length === 0) how = `can ${verbs.join('/')} mutating webhook configurations`;
      else {
        // A create carries no name; update/patch reach only configurations that exist.
        const names = g.rule.resourceNames.filter((n) => existing.has(n)).sort();
        if (names.length === 0 || !verbs.some((v) => v !== 'create')) continue;
        how = `can ${verbs.filter((v) => v !== 'create').join('/')} mutating webhook configuration ${names[0]}`;
      }
      for (const s of g.binding.subjects) {
        yield { from: s, to: Agg.identities(null), evidence: grantEvidence(g), explanation: `${how}, rewrite every pod admitted in any namespace, and so act as` };
      }
    }
  },
});
