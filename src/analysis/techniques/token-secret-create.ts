// TOKEN_SECRET_CREATE: create a legacy service-account token secret, let the controller fill it, read it back.

import type { Grant } from '../../rbac/authorizer.js';
import { Agg, scopeText } from '../context.js';
import { jointEvidence, jointReach, type Reach } from '../holders.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';
import { SECRET_READ_VERBS } from './secret-read.js';

const verbsOf = (g: Grant): string => (g.rule.verbs.includes('*') ? '*' : g.rule.verbs.filter((v) => (SECRET_READ_VERBS as readonly string[]).includes(v)).join('/'));

export default defineTechnique({
  meta: {
    id: 'TOKEN_SECRET_CREATE',
    title: 'Create a service-account token secret and read it back',
    severity: 'high',
    mitre: 'T1528',
    rationale:
      'A Secret of type kubernetes.io/service-account-token annotated kubernetes.io/service-account.name: <sa> is ' +
      'filled by the token controller with a non-expiring token of that service account (still so after 1.24, ' +
      'which only stopped creating them automatically). Whoever can create secrets in a namespace and read one ' +
      'back there (get, list, watch, or update/patch, whose response carries the data) is every service account ' +
      'of that namespace. The attacker names the secret, so a read rule limited to resourceNames still works ' +
      'through any listed name that no existing secret already uses.',
  },
  reads: [...RBAC_INPUTS, 'secrets', 'serviceAccounts', 'pods', 'workloads'],
  *derive(ctx) {
    const ix = ctx.index;
    // A create carries no name: a rule limited by resourceNames never allows it.
    const creates = ctx.grants(['create'], '', 'secrets').filter((g) => g.rule.resourceNames.length === 0);
    const reads = ctx.grants(SECRET_READ_VERBS, '', 'secrets');
    const taken = new Map<string, Set<string>>();
    const freeName = (ns: string, names: readonly string[]): string | null => {
      let used = taken.get(ns);
      if (!used) taken.set(ns, (used = new Set((ix.secretsByNamespace.get(ns) ?? []).map((s) => s.name))));
      return [...names].sort().find((n) => !used.has(n)) ?? null;
    };
    yield* jointReach([creates, reads], ([held, readers]) => {
      const out = new Map<string, Reach>();
      const add = (ns: string | null, c: Grant, r: Grant, name: string | null): void => {
        const to = Agg.identities(ns);
        if (out.has(to)) return;
        const how = name === null ? `${verbsOf(r)} secrets` : `${verbsOf(r)} secret ${name}, the name it gives the new secret`;
        out.set(to, { to, evidence: jointEvidence(c, r), explanation: `can create a service-account token secret in ${scopeText(ns)} and read it back (${how}), and so act as` });
      };
      for (const c of held) {
        for (const r of readers) {
          if (c.scope !== null && r.scope !== null && c.scope !== r.scope) continue;
          const scope = c.scope ?? r.scope;
          if (r.rule.resourceNames.length === 0) {
            add(scope, c, r, null);
            continue;
          }
          // Read only by name: the new secret must take a listed name that is still free there.
          for (const ns of scope === null ? ix.sortedNamespaces().filter((n) => ix.saByNamespace.has(n)) : [scope]) {
            const name = freeName(ns, r.rule.resourceNames);
            if (name !== null) add(ns, c, r, name);
          }
        }
      }
      const everywhere = out.get(Agg.identities(null));
      return everywhere ? [everywhere] : [...out.values()];
    });
  },
});
