// TOKEN_REQUEST: mint a token for a service account through serviceaccounts/token (the TokenRequest API).

import { Agg, grantEvidence, scopeText } from '../context.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';
import { namedServiceAccounts } from './impersonate.js';

export default defineTechnique({
  meta: {
    id: 'TOKEN_REQUEST',
    title: 'Request a token for a service account',
    severity: 'high',
    mitre: 'T1528',
    rationale:
      'create on serviceaccounts/token (what `kubectl create token` calls) returns a fresh bound token for the ' +
      'named service account of that namespace, valid for up to the API server\'s maximum lifetime. The request ' +
      'carries the service account\'s name, so resourceNames restrict it to the accounts they list.',
  },
  reads: [...RBAC_INPUTS, 'serviceAccounts', 'pods', 'workloads'],
  *derive(ctx) {
    for (const g of ctx.grants(['create'], '', 'serviceaccounts', 'token')) {
      const evidence = grantEvidence(g);
      if (g.rule.resourceNames.length === 0) {
        const explanation = `can request tokens for service accounts in ${scopeText(g.scope)}, and so act as`;
        for (const s of g.binding.subjects) yield { from: s, to: Agg.identities(g.scope), evidence, explanation };
        continue;
      }
      // The account must exist for a TokenRequest; only known ones are reached.
      for (const sa of namedServiceAccounts(ctx, g)) {
        for (const s of g.binding.subjects) yield { from: s, to: sa, evidence, explanation: `can request a token for service account ${sa.slice('ServiceAccount:'.length)}` };
      }
    }
  },
});
