// No secret value ever appears in any command's output: stdout, stderr, warnings, files written (interface.md section 2).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/files.js';
import { runCli } from '../support/cli.js';

/** Fake values planted in the inputs: in data, stringData, last-applied annotations and on broken lines. */
const SENTINELS = [
  'ZGVtby1vbmx5', 'demo-only', // fixtures/demo
  'BROKEN-SECRET-SENTINEL', 'QlJPS0VOLVNFQ1JFVC1TRU5USU5FTA', // fixtures/bad
  'CLI-SECRET-SENTINEL', 'Q0xJLVNFQ1JFVC1TRU5USU5FTA', // test/cli/fixtures/cluster.yaml
];
const INPUTS = ['fixtures/demo', 'fixtures/bad', 'test/cli/fixtures/cluster.yaml'];
const IN = INPUTS.flatMap((p) => ['--input', p]);

const out = mkdtempSync(join(tmpdir(), 'rbacgraph-secrets-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const secretIds = ingestPaths(INPUTS).snapshot.secrets.map((s) => `${s.namespace}/${s.name}`);
const help = await runCli(['--help']);
const commands = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');

const RUNS: string[][] = [
  ['--help'],
  ...commands.map((c) => [c, '--help']),
  ...['table', 'markdown', 'json'].flatMap((o) => [
    ['who-can', 'get', 'secrets', '-A', ...IN, '-o', o],
    ['who-can', 'list', 'secrets', '-n', 'payments', ...IN, '-o', o],
    ['who-can', 'get', 'secrets', 'stripe-api-key', '-n', 'payments', ...IN, '-o', o],
    ['who-can', 'get', 'secrets', '-n', 'bad', ...IN, '-o', o, '--strict'],
    ['can-i', 'get', 'secrets', 'legacy-admin-token', '-n', 'kube-system', '--as', 'User:grace', ...IN, '-o', o],
    ['can-i', 'list', 'secrets', '-n', 'ns1', '--as', 'User:bob', ...IN, '-o', o],
    ['paths', ...IN, '-o', o],
    ['paths', '--to', 'nodes', ...IN, '-o', o],
    ['paths', '--to', 'Secret:payments/stripe-api-key', ...IN, '-o', o],
    ['report', ...IN, '-o', o],
  ]),
  ['report', ...IN, '-o', 'sarif'],
  ...secretIds.map((id) => ['secret-access', id, ...IN, '-o', 'json']),
  ['who-can', 'get', 'secrets', '-n', 'ns1', '--input', '-', '-o', 'json'],
  ['who-can', 'get', 'secrets', '--bogus-option', ...IN],
  ['can-i', 'get', 'secrets', '--as', 'Secret:ns1/app-config', ...IN],
];

describe('no secret value in any output', () => {
  it('the inputs do hold every sentinel', () => {
    const all = INPUTS.map((p) => (p.endsWith('.yaml') ? readFileSync(p, 'utf8') : '')).join('') +
      ['fixtures/demo/20-kube-system.yaml', 'fixtures/demo/50-apps.yaml', 'fixtures/bad/broken-secrets.yaml', 'fixtures/bad/multi-doc-broken.yaml'].map((f) => readFileSync(f, 'utf8')).join('');
    for (const s of SENTINELS) expect(all).toContain(s);
    expect(commands).toEqual(expect.arrayContaining(['who-can', 'can-i']));
    expect(secretIds.length).toBeGreaterThan(10);
  });

  it.each(RUNS.map((r) => [r.join(' '), r] as [string, string[]]))('%s', async (_name, argv) => {
    const stdin = readFileSync('test/cli/fixtures/cluster.yaml', 'utf8');
    const r = await runCli(argv, { stdin });
    const text = r.stdout + r.stderr;
    for (const s of SENTINELS) expect(text, `${s} in the output of ${argv.join(' ')}`).not.toContain(s);
  });

  it.runIf(commands.includes('scan'))('nor in what scan prints, nor in the snapshot file it writes (--out)', async () => {
    const f = join(out, 'snapshot.json');
    // A store in the temporary folder, never ./rbacgraph.db; builds without the history store refuse --store.
    let r = await runCli(['scan', ...IN, '--out', f, '--store', join(out, 'store.db')]);
    if (r.code === 2 && r.stderr.includes('--store')) r = await runCli(['scan', ...IN, '--out', f]);
    expect(r.code).toBe(0);
    const text = r.stdout + r.stderr + readFileSync(f, 'utf8');
    expect(existsSync(f)).toBe(true);
    for (const s of SENTINELS) expect(text).not.toContain(s);
    // The snapshot file is an input like any dump, and reads back to the same snapshot.
    expect(ingestPaths([f]).snapshot.hash).toBe(ingestPaths(INPUTS).snapshot.hash);
  });
});
