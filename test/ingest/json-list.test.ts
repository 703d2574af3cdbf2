// A JSON List is read one item at a time; the result is what parsing the whole text gives.
import { describe, expect, it } from 'vitest';
import { scanJsonList } from '../../src/ingest/files.js';
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
  expect(scanJsonList(out)).toBeNull();
  return out;
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
    expect(scanJsonList(first)).toBeNull();
    expect(ingestYaml(first).snapshot.namespaces.map((n) => n.name)).toEqual(['b']);
    const later = `{"kind":"List","items":0,"items":[${JSON.stringify(ns('b'))}]}`;
    expect(scanJsonList(later)).not.toBeNull();
    expect(ingestYaml(later).snapshot.namespaces.map((n) => n.name)).toEqual(['b']);
  });

  it('an object with items that is not a List is one object', () => {
    const text = JSON.stringify({ ...ns('a'), items: [ns('b')] });
    expect(ingestYaml(text).snapshot.namespaces.map((n) => n.name)).toEqual(['a']);
  });
});
