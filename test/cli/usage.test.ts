// Exit codes and input handling shared by who-can and can-i: 2 for usage and input errors, warnings, --strict, stdin, bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canI, runCli, subjectIds, whoCan } from '../support/cli.js';

const CLUSTER = 'test/cli/fixtures/cluster.yaml';
const IN = ['--input', CLUSTER];

describe('exit code 2: usage errors', () => {
  it.each([
    ['an unknown command', ['who-cannot', 'get', 'pods', ...IN]],
    ['an unknown option', ['who-can', 'get', 'pods', '--bogus', ...IN]],
    ['an unknown option (can-i)', ['can-i', 'get', 'pods', '--as', 'User:a', '--frobnicate', ...IN]],
    ['a missing VERB', ['who-can', ...IN]],
    ['a missing RESOURCE', ['who-can', 'get', ...IN]],
    ['a missing RESOURCE (can-i)', ['can-i', 'get', '--as', 'User:a', ...IN]],
    ['too many arguments', ['who-can', 'get', 'pods', 'a', 'b', ...IN]],
    ['an option without its value', ['who-can', 'get', 'pods', ...IN, '-n']],
    ['-n and -A together', ['who-can', 'get', 'pods', '-n', 'ns1', '-A', ...IN]],
    ['RESOURCE and --non-resource-url together', ['who-can', 'get', 'pods', '--non-resource-url', '/metrics', ...IN]],
    ['-n with --non-resource-url', ['who-can', 'get', '--non-resource-url', '/metrics', '-n', 'ns1', ...IN]],
    ['a non-resource URL without a leading /', ['who-can', 'get', '--non-resource-url', 'metrics', ...IN]],
    ['-A for can-i', ['can-i', 'get', 'pods', '-A', '--as', 'User:a', ...IN]],
    ['can-i without --as', ['can-i', 'get', 'pods', '-n', 'ns1', ...IN]],
    ['an unknown output format', ['who-can', 'get', 'pods', '-o', 'yaml', ...IN]],
  ])('%s', async (_what, argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toBe('');
  });

  it.each([
    'ServiceAccount:foo', 'ServiceAccount:ns/', 'ServiceAccount:/name', 'User:', 'Group:', 'Node:',
    'Pod:ns1/web', 'Secret:ns1/app-config', 'ClusterRole:admin', 'RoleBinding:ns1/x', 'Namespace:ns1',
  ])('a malformed subject ID: --as %s', async (as) => {
    const r = await runCli(['can-i', 'get', 'pods', '-n', 'ns1', '--as', as, ...IN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('malformed subject ID');
  });
});

describe('exit code 2: input errors', () => {
  it('a missing --input path', async () => {
    const r = await runCli(['who-can', 'get', 'pods', '--input', CLUSTER, '--input', 'test/cli/fixtures/does-not-exist.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('does-not-exist.yaml');
  });

  it('no input at all', async () => {
    expect((await runCli(['who-can', 'get', 'pods'])).code).toBe(2);
    expect((await runCli(['can-i', 'get', 'pods', '--as', 'User:a'])).code).toBe(2);
  });

  it('--input with no value', async () => {
    expect((await runCli(['who-can', 'get', 'pods', '--input'])).code).toBe(2);
  });
});

describe('warnings', () => {
  it('an input with no objects is a warning, not an error', async () => {
    const r = await whoCan(['get', 'pods', '--input', '-'], { stdin: '# nothing here\n' });
    expect(r.code).toBe(0);
    expect(r.json.warnings.map((w) => w.code)).toEqual(['INPUT_EMPTY']);
    expect(r.stderr).toMatch(/^warning: /);
  });

  it('--strict turns any warning into exit code 2, after printing the answer', async () => {
    const who = await runCli(['who-can', 'get', 'widgets', '-n', 'ns1', '--strict', ...IN]);
    expect(who.code).toBe(2);
    expect(who.stdout).toContain('Group:system:masters');
    expect((await runCli(['can-i', 'get', 'secrets', '-n', 'ns1', '--as', 'User:bob', '--strict', '--input', 'fixtures/bad/multi-doc-broken.yaml', ...IN])).code).toBe(2);
    // Without a warning --strict changes nothing.
    expect((await runCli(['can-i', 'get', 'secrets', '-n', 'ns1', '--as', 'User:bob', '--strict', ...IN])).code).toBe(0);
    expect((await runCli(['can-i', 'get', 'secrets', '-n', 'ns2', '--as', 'User:dave', '--strict', ...IN])).code).toBe(1);
  });

  it('a binding to a missing role is ROLE_NOT_FOUND, with file and line', async () => {
    const text = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: dangling, namespace: ns1}\nroleRef: {kind: Role, name: missing}\nsubjects: [{kind: User, name: x}]\n';
    const r = await whoCan(['get', 'pods', '-n', 'ns1', '--input', '-'], { stdin: text });
    expect(r.code).toBe(0);
    expect(r.json.warnings).toEqual([{ code: 'ROLE_NOT_FOUND', file: '<stdin>', line: 1, message: expect.stringContaining('RoleBinding:ns1/dangling') }]);
    expect(r.stderr).toBe(`<stdin>:1: ${r.json.warnings[0].message}\n`);
  });
});

describe('a malformed document among valid ones', () => {
  const BROKEN = 'fixtures/bad/multi-doc-broken.yaml';

  it('exit 0, a warning naming file and line on stderr, every valid object analysed', async () => {
    const r = await whoCan(['get', 'pods', '-n', 'bad', '--input', BROKEN]);
    expect(r.code).toBe(0);
    expect(subjectIds(r.json)).toEqual(['Group:system:masters', 'ServiceAccount:bad/after']);
    expect(r.json.warnings).toEqual([{ code: 'INPUT_PARSE', file: BROKEN, line: 17, column: 46, message: expect.any(String) }]);
    expect(r.stderr).toMatch(/^fixtures\/bad\/multi-doc-broken\.yaml:17:46: /);
  });

  it('the same in table output, and for can-i', async () => {
    const t = await runCli(['who-can', 'list', 'pods', '-n', 'bad', '--input', BROKEN]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('ServiceAccount:bad/after');
    expect(t.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^fixtures\/bad\/multi-doc-broken\.yaml:17:46: YAML syntax error/)]);
    const c = await canI(['get', 'pods', '-n', 'bad', '--as', 'system:serviceaccount:bad:after', '--input', BROKEN]);
    expect(c.code).toBe(0);
    expect(c.json.warnings.map((w) => [w.code, w.line])).toEqual([['INPUT_PARSE', 17]]);
  });

  it('a broken input file does not hide the other inputs', async () => {
    const r = await whoCan(['get', 'secrets', '-n', 'ns1', '--input', 'fixtures/bad', ...IN]);
    expect(r.code).toBe(0);
    expect(subjectIds(r.json)).toContain('User:bob');
    expect(new Set(r.json.warnings.map((w) => w.code))).toEqual(new Set(['INPUT_PARSE', 'INPUT_INVALID_OBJECT']));
  });
});

describe('--input - reads standard input', () => {
  it('YAML and JSON alike', async () => {
    const text = readFileSync(CLUSTER, 'utf8');
    const fromFile = await whoCan(['get', 'secrets', '-n', 'ns1', ...IN]);
    const fromStdin = await whoCan(['get', 'secrets', '-n', 'ns1', '--input', '-'], { stdin: text });
    expect(fromStdin.json.subjects).toEqual(fromFile.json.subjects);
    const list = JSON.stringify({ kind: 'List', items: [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' }, roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'User', name: 'json-user' }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] },
    ] });
    expect(subjectIds((await whoCan(['list', 'pods', '--input', '-'], { stdin: list })).json)).toEqual(['Group:system:masters', 'User:json-user']);
  });

  it('with --default-namespace for objects that name none', async () => {
    const text = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: app}, {kind: ServiceAccount, name: other, namespace: elsewhere}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n';
    const r = await whoCan(['get', 'pods', '-n', 'team', '--input', '-', '--default-namespace', 'team'], { stdin: text });
    expect(subjectIds(r.json)).toEqual(['Group:system:masters', 'ServiceAccount:elsewhere/other', 'ServiceAccount:team/app']);
    const d = await whoCan(['get', 'pods', '-n', 'default', '--input', '-'], { stdin: text });
    expect(subjectIds(d.json)).toEqual(['Group:system:masters', 'ServiceAccount:default/app', 'ServiceAccount:elsewhere/other']);
  });
});
