// Output is stable: the same input gives the same bytes, whatever the run, the order of inputs or documents.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const DEMO = 'fixtures/demo';
const QUERIES: string[][] = [
  ['who-can', 'list', 'secrets', '-A'],
  ['who-can', 'get', 'secrets', '-n', 'kube-system'],
  ['who-can', 'create', 'pods/exec', '-n', 'platform-operator'],
  ['who-can', 'bind', 'clusterroles'],
  ['who-can', 'get', '--non-resource-url', '/metrics'],
  ['can-i', 'list', 'secrets', '-n', 'payments', '--as', 'Group:payments-team'],
  ['can-i', 'create', 'pods/exec', '-n', 'platform-operator', '--as', 'User:uma'],
];
const FORMATS = ['table', 'markdown', 'json'];
const CASES = QUERIES.flatMap((q) => FORMATS.map((f) => [f, q] as [string, string[]]));

describe('byte-identical output', () => {
  it.each(CASES)('across runs (-o %s) %j', async (format, q) => {
    const a = await runCli([...q, '--input', DEMO, '-o', format]);
    const b = await runCli([...q, '--input', DEMO, '-o', format]);
    expect(a.stdout.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });

  const dir = mkdtempSync(join(tmpdir(), 'rbacgraph-order-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(QUERIES)('whatever the order of --input paths: %j', async (...q) => {
    const files = readdirSync(DEMO).filter((f) => f.endsWith('.yaml')).map((f) => join(DEMO, f));
    const forward = await runCli([...q, ...files.flatMap((f) => ['--input', f]), '-o', 'json']);
    const backward = await runCli([...q, ...[...files].reverse().flatMap((f) => ['--input', f]), '-o', 'json']);
    expect(backward.stdout).toBe(forward.stdout);
    expect(backward.code).toBe(forward.code);
  });

  it.each(QUERIES)('whatever the order of documents: %j', async (...q) => {
    // One file of all documents, forward and reversed; warnings name lines, so compare the answers only.
    const docs = readdirSync(DEMO).filter((f) => f.endsWith('.yaml') && !f.startsWith('0')).flatMap((f) => readFileSync(join(DEMO, f), 'utf8').split(/^---$/m));
    writeFileSync(join(dir, 'forward.yaml'), docs.join('\n---\n'));
    writeFileSync(join(dir, 'backward.yaml'), [...docs].reverse().join('\n---\n'));
    const boot = ['--input', join(DEMO, '00-bootstrap-cluster-roles.yaml'), '--input', join(DEMO, '01-bootstrap-cluster-role-bindings.yaml')];
    const a = JSON.parse((await runCli([...q, ...boot, '--input', join(dir, 'forward.yaml'), '-o', 'json'])).stdout) as Record<string, unknown>;
    const b = JSON.parse((await runCli([...q, ...boot, '--input', join(dir, 'backward.yaml'), '-o', 'json'])).stdout) as Record<string, unknown>;
    delete a.warnings;
    delete b.warnings;
    expect(b).toEqual(a);
  });
});

describe('JSON is one document with a trailing newline', () => {
  it.each(QUERIES)('%j', async (...q) => {
    const r = await runCli([...q, '--input', DEMO, '-o', 'json']);
    expect(r.stdout.endsWith('}\n')).toBe(true);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
  });
});
