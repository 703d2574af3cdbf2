import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TECHNIQUES } from '../../src/analysis/techniques/index.js';
import { artifactUri, sarifLevel } from '../../src/report/sarif.js';
import { CLUSTER, run } from './support.js';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } }; logicalLocations?: { fullyQualifiedName: string }[] }[];
  partialFingerprints: Record<string, string>;
}

describe('report -o sarif', async () => {
  const r = await run('report', '--input', CLUSTER, '-o', 'sarif');
  const log = JSON.parse(r.stdout);
  const runObj = log.runs[0];
  const rules: { id: string; name: string; shortDescription: { text: string }; fullDescription: { text: string }; helpUri?: string; properties: Record<string, unknown> }[] = runObj.tool.driver.rules;
  const results: SarifResult[] = runObj.results;

  it('is SARIF 2.1.0 with one rbacgraph driver', () => {
    expect(r.code).toBe(0);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(runObj.tool.driver.name).toBe('rbacgraph');
    expect(runObj.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('has a rule per technique with descriptions, help and a security severity', () => {
    const ids = rules.map((x) => x.id);
    for (const t of TECHNIQUES) expect(ids).toContain(t.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(rule.name).toMatch(/^[A-Z][A-Za-z]*$/);
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.fullDescription.text.length).toBeGreaterThan(0);
      expect(Number(rule.properties['security-severity'])).toBeGreaterThanOrEqual(0);
      expect(Number(rule.properties['security-severity'])).toBeLessThanOrEqual(10);
    }
    expect(rules.find((x) => x.id === 'POD_CREATE')!.helpUri).toBe('docs/techniques/POD_CREATE.md');
    const pc = TECHNIQUES.find((t) => t.meta.id === 'POD_CREATE')!;
    expect(rules.find((x) => x.id === 'POD_CREATE')!.fullDescription.text).toBe(pc.meta.rationale);
  });

  it('has valid results: known rule, matching index, valid level, message, fingerprint', () => {
    expect(results.length).toBeGreaterThan(0);
    for (const res of results) {
      const idx = rules.findIndex((x) => x.id === res.ruleId);
      expect(idx).toBeGreaterThanOrEqual(0);
      expect(res.ruleIndex).toBe(idx);
      expect(['error', 'warning', 'note']).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      expect(res.partialFingerprints['rbacgraphFindingId/v1']).toMatch(/^(path|secret|grant)-[0-9a-f]{16}$/);
    }
    const fps = results.map((x) => x.partialFingerprints['rbacgraphFindingId/v1']);
    expect(new Set(fps).size).toBe(fps.length);
  });

  it('points each result at the source line of its binding', () => {
    const ci = results.find((x) => x.ruleId === 'POD_CREATE' && x.message.text.startsWith('ServiceAccount:dev/ci can reach cluster-admin'))!;
    const loc = ci.locations[0];
    expect(loc.logicalLocations![0].fullyQualifiedName).toBe('RoleBinding:dev/ci');
    expect(loc.physicalLocation!.artifactLocation.uri).toBe('test/fixtures/report/cluster/cluster.yaml');
    const line = loc.physicalLocation!.region!.startLine;
    expect(Number.isInteger(line) && line >= 1).toBe(true);
    // The line starts the binding's document.
    const doc = readFileSync('test/fixtures/report/cluster/cluster.yaml', 'utf8').split('\n').slice(line - 1, line + 3).join('\n');
    expect(doc).toContain('kind: RoleBinding');
    expect(doc).toContain('{name: ci, namespace: dev}');
    for (const res of results) {
      const p = res.locations[0]?.physicalLocation;
      if (p) expect(p.artifactLocation.uri).not.toMatch(/^\//);
    }
  });

  it('maps severities to levels', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => sarifLevel(s as 'critical'))).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it('makes artifact URIs relative under the base folder and file: URIs elsewhere', () => {
    expect(artifactUri('/repo/manifests/rbac.yaml', '/repo')).toEqual({ uri: 'manifests/rbac.yaml', uriBaseId: '%SRCROOT%' });
    expect(artifactUri('/elsewhere/my file.yaml', '/repo')).toEqual({ uri: 'file:///elsewhere/my%20file.yaml' });
    expect(artifactUri('./a/b.yaml')).toEqual({ uri: 'a/b.yaml', uriBaseId: '%SRCROOT%' });
  });
});

describe('report -o sarif --docs-url', () => {
  it('makes rule help links absolute', async () => {
    const r = await run('report', '--input', CLUSTER, '-o', 'sarif', '--docs-url', 'https://example.org/rbacgraph/');
    const rules: { id: string; helpUri?: string }[] = JSON.parse(r.stdout).runs[0].tool.driver.rules;
    expect(rules.find((x) => x.id === 'RBAC')!.helpUri).toBe('https://example.org/rbacgraph/docs/techniques/RBAC.md');
  });
});
