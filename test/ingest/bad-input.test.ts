// Bad input is never fatal: per-document recovery, warnings naming file and line, never quoting the input (fixtures/bad/).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatWarning, type Warning } from '../../src/errors.js';
import { ingestPaths, jsonPathLine } from '../../src/ingest/files.js';
import { ingestYaml } from '../support/snapshot.js';

const BAD = 'fixtures/bad';
const file = (name: string): string => join(BAD, name);
/** Fake secret values planted on broken lines of fixtures/bad (plain and base64). */
const SENTINELS = ['BROKEN-SECRET-SENTINEL', 'QlJPS0VOLVNFQ1JFVC1TRU5USU5FTA'];

const brief = (ws: Warning[]): [string, string | null, number | null][] => ws.map((w) => [w.code, w.file, w.line]);

describe('a malformed document among valid ones (multi-doc-broken.yaml)', () => {
  const r = ingestPaths([file('multi-doc-broken.yaml')]);

  it('warns INPUT_PARSE naming the file, the line and the column of the broken document', () => {
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ code: 'INPUT_PARSE', file: file('multi-doc-broken.yaml'), line: 17, column: 46 });
    expect(formatWarning(r.warnings[0])).toMatch(/^fixtures\/bad\/multi-doc-broken\.yaml:17:46: /);
  });

  it('still reads every valid document, before and after it', () => {
    expect(r.snapshot.serviceAccounts.map((s) => s.id)).toEqual(['ServiceAccount:bad/before']);
    expect(r.snapshot.roles.map((s) => s.id)).toEqual(['Role:bad/pod-reader']);
    expect(r.snapshot.bindings.map((s) => s.id)).toEqual(['RoleBinding:bad/read-pods']);
    expect(r.snapshot.secrets).toEqual([]);
    expect(r.stats.documents).toBe(3);
  });
});

describe('Secrets broken in several ways (broken-secrets.yaml)', () => {
  const r = ingestPaths([file('broken-secrets.yaml')]);

  it('one INPUT_PARSE per broken document, at the line of the problem', () => {
    // 12: an unclosed flow mapping (noticed at the next `---`, reported on the document's last line);
    // 26: a line indented less than its siblings; 39: a second `key: value` on one line.
    expect(brief(r.warnings)).toEqual([
      ['INPUT_PARSE', file('broken-secrets.yaml'), 12],
      ['INPUT_PARSE', file('broken-secrets.yaml'), 26],
      ['INPUT_PARSE', file('broken-secrets.yaml'), 39],
    ]);
  });

  it('reads the valid documents between them', () => {
    expect(r.snapshot.serviceAccounts.map((s) => s.name)).toEqual(['sa-1', 'sa-2', 'sa-3', 'sa-4']);
    expect(r.snapshot.secrets).toEqual([]);
  });
});

describe('broken JSON is one bad unit (broken.json)', () => {
  const r = ingestPaths([file('broken.json')]);

  it('warns once, at the line where the parser stops, and reads nothing from the file', () => {
    expect(brief(r.warnings)).toEqual([
      ['INPUT_PARSE', file('broken.json'), 8],
      ['INPUT_EMPTY', null, null],
    ]);
    expect(r.snapshot.serviceAccounts).toEqual([]);
  });

  it('does not stop the other inputs', () => {
    const both = ingestPaths([file('broken.json'), file('multi-doc-broken.yaml')]);
    expect(both.warnings.map((w) => w.code)).toEqual(['INPUT_PARSE', 'INPUT_PARSE']);
    expect(both.snapshot.roles.map((x) => x.id)).toEqual(['Role:bad/pod-reader']);
  });
});

describe('an invalid object names the line of the offending field', () => {
  it('YAML: rules[2].verbs is not a list (invalid-rule.yaml:21)', () => {
    const r = ingestPaths([file('invalid-rule.yaml')]);
    expect(brief(r.warnings)).toEqual([['INPUT_INVALID_OBJECT', file('invalid-rule.yaml'), 21]]);
    expect(r.warnings[0].message).toContain('Role bad/bad-verbs');
    expect(r.warnings[0].message).toContain('rules[2].verbs is not a list');
    expect(r.snapshot.roles).toEqual([]);
    expect(r.snapshot.serviceAccounts.map((s) => s.id)).toEqual(['ServiceAccount:bad/still-read']);
  });

  it('JSON: the same inside a kind: List item (invalid-rule.json:20)', () => {
    const r = ingestPaths([file('invalid-rule.json')]);
    expect(brief(r.warnings)).toEqual([['INPUT_INVALID_OBJECT', file('invalid-rule.json'), 20]]);
    expect(r.warnings[0].message).toContain('ClusterRole json-bad-verbs: rules[2].verbs is not a list');
    expect(r.snapshot.serviceAccounts.map((s) => s.id)).toEqual(['ServiceAccount:bad/json-still-read']);
  });

  it('YAML: a field whose value starts on the next line is named at its key', () => {
    const { warnings } = ingestYaml('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\nrules:\n- apiGroups: [""]\n  resources:\n    pods: true\n  verbs: [get]\n');
    expect(warnings.map((w) => [w.code, w.line, w.message])).toEqual([['INPUT_INVALID_OBJECT', 6, 'ClusterRole x: rules[0].resources is not a list'], ['INPUT_EMPTY', null, 'the input holds no objects that rbacgraph analyses']]);
  });

  it.each([
    [
      'rules[1].verbs[1] is not a string',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x, namespace: ns1}\nrules:\n- {apiGroups: [""], resources: [pods], verbs: [get]}\n- apiGroups: [""]\n  verbs: [get, 7]\n  resources: [pods]\n',
      7,
    ],
    [
      'subjects[0] needs string kind and name',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x, namespace: ns1}\nroleRef: {kind: Role, name: r}\nsubjects:\n- name: nobody\n',
      6,
    ],
    ['roleRef needs string kind and name', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x, namespace: ns1}\nroleRef: {kind: Role}\n', 4],
    ['metadata.name is missing', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  namespace: ns1\n', 3],
  ])('%s', (message, text, line) => {
    const { warnings } = ingestYaml(text);
    expect(warnings[0].code).toBe('INPUT_INVALID_OBJECT');
    expect(warnings[0].message).toContain(message);
    expect(warnings[0].line).toBe(line);
  });

  it('documents that are not objects, or have no kind (not-objects.yaml)', () => {
    const r = ingestPaths([file('not-objects.yaml')]);
    expect(brief(r.warnings)).toEqual([
      ['INPUT_INVALID_OBJECT', file('not-objects.yaml'), 2],
      ['INPUT_INVALID_OBJECT', file('not-objects.yaml'), 5],
      ['INPUT_INVALID_OBJECT', file('not-objects.yaml'), 7],
    ]);
    expect(r.snapshot.serviceAccounts.map((s) => s.id)).toEqual(['ServiceAccount:bad/fine']);
  });
});

describe('a warning never quotes the input text', () => {
  const r = ingestPaths([BAD]);

  it('reads the whole folder: every broken file warns, every valid object is kept', () => {
    const files = readdirSync(BAD).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    expect([...new Set(r.warnings.map((w) => w.file))].sort()).toEqual(files.map(file));
    expect(r.snapshot.serviceAccounts.length).toBe(8);
  });

  it('no warning holds a planted secret value', () => {
    for (const text of files()) expect(SENTINELS.some((s) => text.includes(s))).toBe(true);
    const out = JSON.stringify(r.warnings) + r.warnings.map(formatWarning).join('\n');
    for (const s of SENTINELS) expect(out).not.toContain(s);
  });

  it('no parse warning holds any word of the line it names', () => {
    for (const w of r.warnings.filter((x) => x.code === 'INPUT_PARSE')) {
      const line = readFileSync(w.file!, 'utf8').split('\n')[w.line! - 1];
      const words = line.split(/[^A-Za-z0-9=+/_-]+/).filter((x) => x.length >= 4);
      for (const word of words) expect(w.message, `${formatWarning(w)} quotes "${word}"`).not.toContain(word);
    }
  });

  it('nothing of a broken Secret reaches the snapshot', () => {
    const bytes = JSON.stringify(r.snapshot);
    for (const s of SENTINELS) expect(bytes).not.toContain(s);
  });

  function files(): string[] {
    return ['multi-doc-broken.yaml', 'broken-secrets.yaml', 'broken.json'].map((f) => readFileSync(file(f), 'utf8'));
  }
});

describe('jsonPathLine', () => {
  const text = '{\n  "a": 1,\n  "b": [\n    {"c": "x\\"y"},\n    {\n      "d":\n        [true, null]\n    }\n  ],\n  "e": {}\n}\n';
  it.each([
    [[], 1],
    [['a'], 2],
    [['b'], 3],
    [['b', 0], 4],
    [['b', 0, 'c'], 4],
    [['b', 1], 5],
    [['b', 1, 'd'], 6],
    [['b', 1, 'd', 1], 7],
    [['e'], 10],
    [['missing'], null],
    [['b', 2], null],
    [['a', 'x'], null],
  ] as [(string | number)[], number | null][])('%j → line %s', (path, line) => {
    expect(jsonPathLine(text, path)).toBe(line);
  });
});

describe('YAML 1.1 scalars where a string belongs', () => {
  it('an unquoted `namespace: no` (a boolean) is an invalid object, not the default namespace', () => {
    const { snapshot, warnings } = ingestYaml('apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\n  namespace: no\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: a}]\n');
    expect(snapshot.bindings).toEqual([]);
    expect(warnings.map((w) => [w.code, w.line])).toEqual([['INPUT_INVALID_OBJECT', 5], ['INPUT_EMPTY', null]]);
    expect(warnings[0].message).toBe('RoleBinding rb: metadata.namespace is not a string (quote it)');
  });

  it('quoted, it is the namespace "no"', () => {
    const { snapshot } = ingestYaml('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: "no"}\n');
    expect(snapshot.serviceAccounts.map((s) => s.id)).toEqual(['ServiceAccount:no/sa']);
  });
});
