// CSR_APPROVE: create and approve a CSR for the kube-apiserver-client signer, fetch the certificate, be anyone.

import type { Grant } from '../../rbac/authorizer.js';
import { Agg } from '../context.js';
import { jointEvidence, jointReach } from '../holders.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';

const GROUP = 'certificates.k8s.io';
const SIGNER = 'kubernetes.io/kube-apiserver-client';
/** The approval admission plugin checks the signer's name, then `<domain>/*` (plugin/pkg/admission/certificates/approval). */
const SIGNER_NAMES = [SIGNER, 'kubernetes.io/*'];

/** Every object here is cluster-scoped: a RoleBinding never applies. */
const clusterWide = (gs: Grant[]): Grant[] => gs.filter((g) => g.scope === null);

/** Can the approval and the read-back name the same CSR? The attacker names the CSR, so any common name will do. */
function commonName(a: Grant, b: Grant): boolean {
  const an = a.rule.resourceNames;
  const bn = b.rule.resourceNames;
  return an.length === 0 || bn.length === 0 || an.some((n) => bn.includes(n));
}

export default defineTechnique({
  meta: {
    id: 'CSR_APPROVE',
    title: 'Issue a client certificate through a CertificateSigningRequest',
    severity: 'critical',
    mitre: 'T1649',
    rationale:
      'A CertificateSigningRequest for the kubernetes.io/kube-apiserver-client signer names any user and groups in ' +
      'its subject. Whoever may create it, update its approval, approve for that signer (verb approve on ' +
      'signers named kubernetes.io/kube-apiserver-client or kubernetes.io/*) and read it back gets a client ' +
      'certificate the API server accepts for that identity: any user, any group but system:masters (admission plugin ' +
      'CertificateSubjectRestriction refuses it), and any service account (user system:serviceaccount:<ns>:<name>).',
  },
  reads: RBAC_INPUTS,
  *derive(ctx) {
    // A create carries no name: a rule limited by resourceNames never allows it.
    const creates = clusterWide(ctx.grants(['create'], GROUP, 'certificatesigningrequests')).filter((g) => g.rule.resourceNames.length === 0);
    // The approval is an update (patch too: the subresource implements Get) on the CSR the attacker named.
    const approvals = clusterWide(ctx.grants(['update', 'patch'], GROUP, 'certificatesigningrequests', 'approval'));
    const signers = clusterWide(ctx.grants(['approve'], GROUP, 'signers'))
      .filter((g) => g.rule.resourceNames.length === 0 || g.rule.resourceNames.some((n) => SIGNER_NAMES.includes(n)));
    // The certificate appears in status once the signer has issued it: the CSR must be read back.
    const reads = clusterWide(ctx.grants(['get', 'list', 'watch'], GROUP, 'certificatesigningrequests'));
    yield* jointReach([creates, approvals, signers, reads], ([c, a, s, r]) => {
      for (const approval of a) {
        const read = r.find((x) => commonName(approval, x));
        if (!read) continue;
        return [{
          to: Agg.allIdentities(),
          evidence: jointEvidence(c[0], approval, s[0], read),
          explanation: `can create a CSR for ${SIGNER}, approve it and read the certificate back, and so authenticate as`,
        }];
      }
      return [];
    });
  },
});
