// SECRET_READ: get/list/watch (and update/patch, whose response carries the object) of secrets.

import { Agg, grantEvidence, namedInScope, scopeText } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';

export const SECRET_READ_VERBS = ['get', 'list', 'watch', 'update', 'patch'] as const;

export default defineTechnique({
  meta: {
    id: 'SECRET_READ',
    title: 'Read secrets',
    severity: 'high',
    mitre: 'T1552.007',
    rationale:
      'get returns a secret; list and watch return the contents of every secret they match, not just names; ' +
      'update and patch return the stored object, data included. A legacy service-account token secret read this ' +
      'way is that service account.',
  },
  reads: [...RBAC_INPUTS, 'secrets'],
  *derive(ctx) {
    const ix = ctx.index;
    for (const g of ctx.grants(SECRET_READ_VERBS, '', 'secrets')) {
      const evidence = grantEvidence(g);
      const verbs = g.rule.verbs.includes('*') ? '*' : g.rule.verbs.filter((v) => (SECRET_READ_VERBS as readonly string[]).includes(v)).join('/');
      if (g.rule.resourceNames.length === 0) {
        const explanation = `can ${verbs} secrets in ${scopeText(g.scope)}, so`;
        for (const s of g.binding.subjects) yield { from: s, to: Agg.secrets(g.scope), evidence, explanation };
        continue;
      }
      // Named secrets only: get by name, or list/watch with a metadata.name field selector.
      for (const sec of namedInScope(ctx, g, (ns, name) => ix.secret(ns, name))) {
        const holder = ix.tokenHolder.get(sec.id);
        const what = `${sec.namespace}/${sec.name}`;
        for (const s of g.binding.subjects) {
          yield { from: s, to: sec.id, evidence, explanation: `can ${verbs} secret ${what}` };
          if (holder) yield { from: s, to: holder, evidence: [...evidence, sec.id], explanation: `can ${verbs} secret ${what}, a legacy token of ${holder.slice('ServiceAccount:'.length)}` };
        }
      }
    }
  },
});
