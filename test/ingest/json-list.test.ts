// A JSON List is read one item at a time; the result is what parsing the whole text gives.
import { describe, expect, it, vi } from 'vitest';
import { scanJsonList, type JsonListLayout } from '../../src/ingest/files.js';
import { ingestYaml } from '../support/snapshot.js';

const ns = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const sa = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'a' } });
const list = (items: unknown[]): Record<string, unknown> => ({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } });

const ITEMS: unknown[] = [
  ns('a'),
  { ...sa('s"1\\'), metadata: { name: 's"1\\', namespace: 'a', labels: { 'x/[y]': '{,}' } } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok', namespace: 'a' }, data: { token: 'c2VjcmV0LXZhbHVl' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'a' }, rules: [{ verbs: 'get' }] },
  null,
  'text',
  [1, [2, { a: ']' }]],
  sa('s"1\\'),
];

/** What reading the text gives, in a form to compare (the hash read, so it is in there). */
const read = (text: string, skipSecrets = false): unknown => {
  const r = ingestYaml(text, { skipSecrets }, 'dump.json');
  // Sources as a plain object, so that comparisons see them (a Map serializes as {}).
  return JSON.parse(JSON.stringify({ snapshot: { ...r.snapshot, sources: Object.fromEntries(r.snapshot.sources) }, warnings: r.warnings }));
};

/**
 * The same document, read as one parsed whole: a second `items` key holding the same items, added
 * at the end, makes the item-by-item path decline it, JSON.parse keeps that later copy, and the
 * lines of the first copy do not move.
 */
const wholeOnly = (text: string, items: unknown[]): string => {
  const out = text.replace(/\}(\s*)$/, (_m, blank: string) => `,"items":${JSON.stringify(items)}}${blank}`);
  expect(itemPathDeclines(out)).toBe(true);
  return out;
};

/**
 * The item-by-item path declines a text when the scan finds no List shape, or when a piece it
 * cut does not parse (its guessed item ends are proved by parsing: see scanJsonList).
 */
const itemPathDeclines = (text: string): boolean => {
  const parses = (layout: JsonListLayout): boolean => {
    try {
      for (const at of layout.items) JSON.parse(text.slice(at.offset, at.end));
      JSON.parse(`${text.slice(0, layout.open)}[]${text.slice(layout.close + 1)}`);
      return true;
    } catch {
      return false;
    }
  };
  const layout = scanJsonList(text);
  if (!layout) return true;
  if (parses(layout)) return false;
  // As the reader does: a guessed layout that does not parse is scanned again without guessing.
  const exact = layout.guessed ? scanJsonList(text, false) : null;
  return !exact || !parses(exact);
};

/** What reading a text as YAML gives (a comment line first keeps it off the JSON path), one line up. */
const readAsYaml = (text: string): unknown => {
  const r = read(`#\n${text}`) as { snapshot: { sources: Record<string, { line: number | null }> }; warnings: { line: number | null }[] };
  for (const x of [...Object.values(r.snapshot.sources), ...r.warnings]) if (x.line !== null) x.line--;
  return r;
};

describe('a JSON List read item by item', () => {
  const typed = { apiVersion: 'v1', kind: 'ServiceAccountList', items: [{ metadata: { name: 'x', namespace: 'a' } }] };
  const texts: [string, Record<string, unknown>, string][] = [
    ['compact', list(ITEMS), JSON.stringify(list(ITEMS))],
    ['indented', list(ITEMS), JSON.stringify(list(ITEMS), null, 2)],
    ['CRLF, tabs', list(ITEMS), JSON.stringify(list(ITEMS), null, '\t').replace(/\n/g, '\r\n')],
    ['blank lines first', list(ITEMS), `\n\n${JSON.stringify(list(ITEMS), null, 1)}\n\n`],
    ['a typed list', typed, JSON.stringify(typed, null, 2)],
    ['no items', list([]), JSON.stringify(list([]))],
  ];

  it.each(texts)('%s: the same objects, warnings, lines and sources as the whole text parsed at once', (_name, doc, text) => {
    expect(scanJsonList(text)).not.toBeNull();
    for (const skip of [false, true]) expect(read(text, skip)).toEqual(read(wholeOnly(text, doc.items as unknown[]), skip));
  });

  it('names the line of each item and of the offending field', () => {
    const text = JSON.stringify(list(ITEMS), null, 2);
    const { snapshot, warnings } = ingestYaml(text, {}, 'dump.json');
    const lineOf = (s: string): number => text.slice(0, text.indexOf(s)).split('\n').length;
    expect(snapshot.sources.get('Namespace:a')).toEqual({ file: 'dump.json', line: lineOf('"items"') + 1 });
    expect(warnings.find((w) => w.message.includes('verbs'))).toMatchObject({ code: 'INPUT_INVALID_OBJECT', line: lineOf('"verbs"') });
    expect(warnings.find((w) => w.code === 'DUPLICATE_OBJECT')?.message).toMatch(/first seen at dump\.json:\d+\)$/);
    expect(JSON.stringify(snapshot)).not.toContain('c2VjcmV0LXZhbHVl');
  });

  it.each([
    ['a trailing comma', '{"kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}},]}'],
    ['a leading comma', '{"kind":"List","items":[,{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}]}'],
    ['a missing comma', '{"kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}} {"kind":"x"}]}'],
    ['a broken last item', `{"kind":"List","items":[${JSON.stringify(ns('a'))},{"kind":"Namespace","metadata":{"name":"b"},"x":tru}]}`],
    ['unbalanced brackets in an item', `{"kind":"List","items":[${JSON.stringify(ns('a'))},{"kind":"Namespace","metadata":{"name":"b"}]}`],
    ['an unclosed string in the last item', `{"kind":"List","items":[${JSON.stringify(ns('a'))},{"kind":"Namespace","metadata":{"name":"b}}]}`],
    ['an unclosed last item', `{"kind":"List","items":[${JSON.stringify(ns('a'))},{"kind":"Namespace","metadata":{"name":"b"}`],
    ['text after the list', `${JSON.stringify(list([ns('a')]))} x`],
    ['a broken skeleton', `{"kind":"List" "items":[${JSON.stringify(ns('a'))}]}`],
  ])('broken JSON (%s) adds nothing before it is read as YAML, as before', (_name, text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(read(text)).toEqual(readAsYaml(text));
  });

  it('takes the last `items` key, as JSON.parse does', () => {
    const first = `{"kind":"List","items":[${JSON.stringify(ns('a'))}],"items":[${JSON.stringify(ns('b'))}]}`;
    expect(itemPathDeclines(first)).toBe(true);
    expect(ingestYaml(first).snapshot.namespaces.map((n) => n.name)).toEqual(['b']);
    const later = `{"kind":"List","items":0,"items":[${JSON.stringify(ns('b'))}]}`;
    expect(scanJsonList(later)).not.toBeNull();
    expect(ingestYaml(later).snapshot.namespaces.map((n) => n.name)).toEqual(['b']);
  });

  // Item ends are guessed where the text between the first two items recurs; these lists repeat
  // that text inside items, change the first key, or indent as kubectl does.
  const owner = (kind: string, name: string): Record<string, unknown> => ({ apiVersion: 'apps/v1', kind, name, uid: name });
  const pod = (name: string, owners: unknown[]): Record<string, unknown> => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'a', ownerReferences: owners }, spec: { containers: [{ name: 'c', image: 'i' }] },
  });
  const guessed: [string, unknown[], (doc: unknown) => string][] = [
    ['items holding the separator text (two ownerReferences)', [pod('p0', []), pod('p1', [owner('ReplicaSet', 'r'), owner('Deployment', 'd')]), pod('p2', [owner('A', 'x'), owner('B', 'y')]), ns('a')], (d) => JSON.stringify(d)],
    ['a last item holding it', [pod('p0', []), pod('p1', []), pod('p2', [owner('A', 'x'), owner('B', 'y'), owner('C', 'z')])], (d) => JSON.stringify(d)],
    ['items whose first key differs', [ns('a'), { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 's', namespace: 'a' } }, ns('b'), { metadata: { name: 'c' }, kind: 'Namespace', apiVersion: 'v1' }], (d) => JSON.stringify(d)],
    ['kubectl indentation', [pod('p0', [owner('A', 'x'), owner('B', 'y')]), ns('a'), pod('p1', [])], (d) => JSON.stringify(d, null, 4)],
  ];
  it.each(guessed)('%s: the same result as the whole text parsed at once', (_name, items, format) => {
    const text = format(list(items));
    expect(scanJsonList(text)).not.toBeNull();
    expect(read(text)).toEqual(read(wholeOnly(text, items)));
  });

  it('a wrong guess cuts a piece that does not parse; the text is then read item by item after an exact scan', () => {
    const items = [pod('p0', []), pod('p1', [owner('A', 'x'), owner('B', 'y')]), ns('a')];
    const text = JSON.stringify(list(items));
    const guessed = scanJsonList(text)!;
    expect(guessed.guessed).toBe(true);
    expect(() => guessed.items.map((at) => JSON.parse(text.slice(at.offset, at.end)))).toThrow(SyntaxError);
    const exact = scanJsonList(text, false)!;
    expect(exact.guessed).toBe(false);
    expect(exact.items.map((at) => JSON.parse(text.slice(at.offset, at.end)))).toEqual(items);
    // Read item by item after all: JSON.parse never sees the whole text.
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(ingestYaml(text).snapshot.pods.map((p) => p.name)).toEqual(['p0', 'p1']);
      expect(parse.mock.calls.some(([t]) => t === text)).toBe(false);
    } finally {
      parse.mockRestore();
    }
  });

  it('guesses right on kubectl-style lists: every piece parses, lines counted', () => {
    const items = [pod('p0', [owner('A', 'x'), owner('B', 'y')]), ns('a'), pod('p1', [])];
    const text = JSON.stringify(list(items), null, 4);
    const layout = scanJsonList(text)!;
    expect(layout.guessed).toBe(true);
    expect(layout.items.map((at) => JSON.parse(text.slice(at.offset, at.end)))).toEqual(items);
    expect(layout.items.map((at) => at.line)).toEqual(scanJsonList(text, false)!.items.map((at) => at.line));
  });

  it('an object with items that is not a List is one object', () => {
    const text = JSON.stringify({ ...ns('a'), items: [ns('b')] });
    expect(ingestYaml(text).snapshot.namespaces.map((n) => n.name)).toEqual(['a']);
  });
});
