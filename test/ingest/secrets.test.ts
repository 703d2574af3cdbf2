// Secret values never reach the snapshot: data, stringData and the last-applied annotation are dropped at ingest.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { LAST_APPLIED } from '../../src/snapshot/normalize.js';
import { toSnapshotFile } from '../../src/snapshot/serialize.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { ingestYaml } from '../support/snapshot.js';

const SENTINEL = 'SENTINEL-VALUE-4a7f9c';
const SENTINEL_B64 = Buffer.from(SENTINEL).toString('base64');

const secret = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'payments',
    labels: { app: 'db' },
    annotations: {
      'kubernetes.io/service-account.name': 'app',
      [LAST_APPLIED]: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { password: SENTINEL_B64 }, stringData: { token: SENTINEL } }),
      'team.example.com/owner': 'payments',
    },
    managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': { 'f:password': {} } } }],
    ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'app', uid: 'u', controller: true }],
  },
  type: 'kubernetes.io/service-account-token',
  data: { password: SENTINEL_B64, 'ca.crt': SENTINEL_B64 },
  stringData: { token: SENTINEL },
  ...extra,
});

/** Everything the snapshot holds, as the bytes `scan --out` would write. */
const everything = (s: Snapshot): string => JSON.stringify(toSnapshotFile(s)) + JSON.stringify(s);

const SHAPES: [name: string, text: string][] = [
  ['a YAML object', stringify(secret())],
  ['a JSON object', JSON.stringify(secret(), null, 2)],
  ['a kind: List', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [secret()] })],
  ['a SecretList whose items carry no kind', stringify({ apiVersion: 'v1', kind: 'SecretList', items: [{ ...secret(), kind: undefined, apiVersion: undefined }] })],
  ['a multi-document file', `${stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } })}---\n${stringify(secret())}`],
];

describe('secret values never reach the snapshot', () => {
  it.each(SHAPES)('in %s', (_name, text) => {
    expect(text).toContain(SENTINEL);
    const { snapshot, warnings } = ingestYaml(text);
    expect(snapshot.secrets).toHaveLength(1);
    const bytes = everything(snapshot);
    expect(bytes).not.toContain(SENTINEL);
    expect(bytes).not.toContain(SENTINEL_B64);
    expect(JSON.stringify(warnings)).not.toContain(SENTINEL);
  });

  it('keeps only metadata: name, namespace, type, labels, annotations but last-applied, owner', () => {
    const { snapshot } = ingestYaml(stringify(secret()));
    expect(snapshot.secrets[0]).toEqual({
      id: 'Secret:payments/db',
      name: 'db',
      namespace: 'payments',
      type: 'kubernetes.io/service-account-token',
      labels: { app: 'db' },
      annotations: { 'kubernetes.io/service-account.name': 'app', 'team.example.com/owner': 'payments' },
      owner: 'ServiceAccount:payments/app',
    });
  });

  it('keeps the type only when it is a service-account token (the one a metadata-only list can be told)', () => {
    const { snapshot } = ingestYaml(stringify(secret({ type: 'Opaque' })));
    expect(snapshot.secrets[0].type).toBeNull();
  });

  it('drops managedFields and last-applied from every kind, not just Secrets', () => {
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'payments', annotations: { [LAST_APPLIED]: SENTINEL }, managedFields: [{ manager: SENTINEL }] } };
    const { snapshot } = ingestYaml(stringify(sa));
    expect(snapshot.serviceAccounts).toHaveLength(1);
    expect(everything(snapshot)).not.toContain(SENTINEL);
  });

  it('--skip-secrets drops Secret objects altogether', () => {
    const { snapshot } = ingestYaml(SHAPES[4][1], { skipSecrets: true });
    expect(snapshot.secrets).toEqual([]);
    expect(snapshot.namespaces).toHaveLength(1);
  });

  it('a pod that references a secret keeps the reference, never a value', () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'payments' },
      spec: {
        containers: [{ name: 'c', image: 'x', env: [{ name: 'PLAIN', value: SENTINEL }, { name: 'REF', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }], envFrom: [{ secretRef: { name: 'all' } }] }],
        volumes: [{ name: 'v', secret: { secretName: 'mounted' } }, { name: 'p', projected: { sources: [{ secret: { name: 'projected' } }] } }],
        imagePullSecrets: [{ name: 'pull' }],
      },
    };
    const { snapshot } = ingestYaml(stringify(pod));
    const spec = snapshot.pods[0].spec;
    expect(spec.containers[0].envSecrets).toEqual(['all', 'db']);
    expect(spec.volumes.map((v) => v.secrets)).toEqual([['mounted'], ['projected']]);
    expect(spec.imagePullSecrets).toEqual(['pull']);
    expect(everything(snapshot)).not.toContain(SENTINEL);
  });
});
