import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLEAN, CLUSTER, run } from './support.js';

const FORMATS = ['table', 'markdown', 'json', 'sarif'];

describe('rbacgraph report', () => {
  it.each(FORMATS)('prints identical bytes on every run (-o %s)', async (format) => {
    const a = await run('report', '--input', CLUSTER, '-o', format);
    const b = await run('report', '--input', CLUSTER, '-o', format);
    expect(a.code).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(100);
    expect(b.stdout).toBe(a.stdout);
  });

  const dir = mkdtempSync(join(tmpdir(), 'rbacgraph-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('does not depend on the order of the input documents', async () => {
    const docs = readFileSync(join(CLUSTER, 'cluster.yaml'), 'utf8').split(/^---$/m);
    const reversed = join(dir, 'reversed.yaml');
    writeFileSync(reversed, [...docs].reverse().join('\n---\n'));
    const a = await run('report', '--input', CLUSTER, '-o', 'json');
    const b = await run('report', '--input', reversed, '-o', 'json');
    expect(b.stdout).toBe(a.stdout);
  });

  it('is a compact summary by default and the full report with fixes in Markdown', async () => {
    const table = await run('report', '--input', CLUSTER);
    expect(table.stdout).toMatch(/^Findings: \d+ critical/);
    expect(table.stdout).toContain('CRITICAL PATHS');
    expect(table.stdout).not.toContain('kubectl');
    const md = await run('report', '--input', CLUSTER, '-o', 'markdown');
    expect(md.stdout).toMatch(/^# rbacgraph report\n/);
    for (const h of ['## Summary', '## Critical paths', '## Most exposed secrets', '## Most dangerous grants']) expect(md.stdout).toContain(h);
    expect(md.stdout).toContain('kubectl -n dev delete rolebinding ci');
  });

  it('writes JSON with a summary and warnings', async () => {
    const r = await run('report', '--input', CLUSTER, '-o', 'json');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['formatVersion', 'snapshot', 'options', 'summary', 'criticalPaths', 'exposedSecrets', 'dangerousGrants', 'warnings']);
    expect(j.summary.bySeverity.critical).toBeGreaterThan(0);
    expect(j.warnings).toEqual([]);
  });

  it('carries input warnings into JSON and onto stderr', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: dangling, namespace: dev}\nroleRef: {kind: Role, name: missing}\nsubjects: [{kind: User, name: dan}]\n');
    const r = await run('report', '--input', bad, '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings.map((w: { code: string }) => w.code)).toEqual(['ROLE_NOT_FOUND']);
    expect(r.stderr).toContain('bad.yaml');
    expect((await run('report', '--input', bad, '--strict')).code).toBe(2);
  });

  it.each([
    { failOn: 'critical', input: CLUSTER, code: 1 },
    { failOn: 'high', input: CLUSTER, code: 1 },
    { failOn: 'info', input: CLEAN, code: 0 },
    { failOn: 'CRITICAL', input: CLUSTER, code: 1 },
  ])('--fail-on $failOn on $input exits $code', async ({ failOn, input, code }) => {
    const r = await run('report', '--input', input, '--fail-on', failOn, '-o', 'json');
    expect(r.code).toBe(code);
    if (code === 1) expect(r.stderr).toMatch(/findings? at or above/);
  });

  it('exits 0 with findings when --fail-on is not given', async () => {
    expect((await run('report', '--input', CLUSTER)).code).toBe(0);
  });

  it.each([
    ['--fail-on', 'severe'],
    ['-o', 'xml'],
    ['--top', '0'],
    ['--max-hops', 'x'],
    ['--no-such-option'],
  ])('exits 2 on a usage error: %s %s', async (...args) => {
    const r = await run('report', '--input', CLUSTER, ...args);
    expect(r.code).toBe(2);
  });

  it('exits 2 without input or with a missing path', async () => {
    expect((await run('report')).code).toBe(2);
    expect((await run('report', '--input', join(dir, 'nope'))).code).toBe(2);
  });

  it('documents itself in --help', async () => {
    const r = await run('report', '--help');
    expect(r.code).toBe(0);
    for (const s of ['--fail-on', '--top', '--include-system', '--max-hops', 'sarif', 'Examples:']) expect(r.stdout).toContain(s);
  });

  it.each(FORMATS)('never prints a secret value (-o %s)', async (format) => {
    const r = await run('report', '--input', CLUSTER, '-o', format);
    const all = r.stdout + r.stderr;
    // data.key (base64 and decoded) and stringData.other from the fixture's Secret.
    for (const v of ['c2stbGl2ZS1ET05PVExFQUstNDJ4eXo=', 'sk-live-DONOTLEAK-42xyz', 'hunter2-DONOTLEAK-plain', 'DONOTLEAK']) expect(all).not.toContain(v);
    expect(all).toContain('stripe-key');
  });
});
