// Reads manifests and kubectl dumps from files, folders and stdin into a snapshot, per-document recovery.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parse as parseYamlText, parseAllDocuments, type Document } from 'yaml';
import { ErrorCode, RbacgraphError, warning, type Warning } from '../errors.js';
import { SnapshotBuilder } from '../snapshot/builder.js';
import { normalizeObject, type NormalizeEnv, type Normalized } from '../snapshot/normalize.js';
import { isSnapshotFile, normalizedFromSnapshotFile } from '../snapshot/serialize.js';
import type { Snapshot, SourceRef } from '../snapshot/types.js';

export interface IngestOptions {
  /** Where namespaced objects without a namespace go (default `default`). */
  defaultNamespace?: string;
  /** Drop every Secret object (secret reachability then covers only secrets pods reference). */
  skipSecrets?: boolean;
  /** Read by `--input -`; defaults to the process's standard input. */
  stdin?: () => string;
}

export interface IngestStats {
  files: number;
  documents: number;
  objects: number;
  ignored: number;
}

export interface IngestResult {
  snapshot: Snapshot;
  warnings: Warning[];
  stats: IngestStats;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Locates a field path inside the current document as a 1-based line (null when unknown). */
type Locate = (path: (string | number)[]) => number | null;

/** One object read and normalized, not yet added. */
interface ReadItem {
  normalized: Normalized | null;
  warnings: Warning[] | null;
  source: SourceRef | null;
}

/** Reads every path (file, folder, or `-`) and builds one snapshot. A missing path is a usage error. */
export function ingestPaths(paths: string[], opts: IngestOptions = {}): IngestResult {
  const reader = new ManifestReader(opts);
  for (const p of paths) {
    if (p === '-') {
      reader.readText(opts.stdin ? opts.stdin() : readFileSync(0, 'utf8'), '<stdin>');
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new RbacgraphError(ErrorCode.INPUT_NOT_FOUND, `input path not found: ${p}`);
    }
    if (st.isDirectory()) for (const f of listFiles(p)) reader.readFile(f);
    else reader.readFile(p);
  }
  return reader.finish();
}

/** Files under a folder, recursively, sorted so that "later input wins" is deterministic. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(d, e.name);
      // Hidden folders are not manifests (.git; a mounted ConfigMap's ..data and ..<timestamp> copies).
      if (e.isDirectory()) {
        if (!e.name.startsWith('.')) walk(full);
      } else if (EXTENSIONS.has(extname(e.name).toLowerCase()) && (e.isFile() || (e.isSymbolicLink() && isFileTarget(full)))) {
        // A symlink to a file is read like the file (a mounted ConfigMap's keys are symlinks);
        // a symlink to a folder is not followed (no loops).
        out.push(full);
      }
    }
  };
  walk(dir);
  return out;
}

function isFileTarget(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export class ManifestReader {
  readonly builder = new SnapshotBuilder();
  private readonly env: NormalizeEnv;
  private readonly skipSecrets: boolean;
  private readonly stats: IngestStats = { files: 0, documents: 0, objects: 0, ignored: 0 };
  private lastSource: SourceRef | null = null;

  constructor(opts: IngestOptions = {}) {
    this.env = { defaultNamespace: opts.defaultNamespace ?? 'default', parseYaml: (t) => parseYamlText(t) };
    this.skipSecrets = opts.skipSecrets ?? false;
  }

  readFile(file: string): void {
    let text: string;
    try {
      text = readTextFile(file);
    } catch (e) {
      this.warn(ErrorCode.INPUT_PARSE, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, file, null);
      return;
    }
    this.readText(text, file);
  }

  readText(text: string, file: string): void {
    this.stats.files++;
    const first = text.trimStart()[0];
    if (first === '{' && this.readJsonList(text, file)) return;
    if (first === '{' || first === '[') {
      let doc: unknown;
      let parsed = false;
      try {
        doc = JSON.parse(text);
        parsed = true;
      } catch {
        // Not JSON after all, or broken JSON: YAML (a superset) tells where, or reads YAML flow style.
      }
      if (parsed) {
        this.stats.documents++;
        this.readDocument(doc, file, jsonLocator(text));
        return;
      }
    }
    this.readYaml(text, file);
  }

  /**
   * A JSON `List` (`kubectl get -A -o json`), read one item at a time: one scan finds the items
   * (and their lines), then each item is parsed, normalized and dropped while it is still young.
   * Parsing the whole text at once keeps every raw object of a 400 MB dump alive until the last
   * one is normalized, and the garbage collector spends more on that than the parse itself.
   *
   * The result is what parsing the whole text gives: the text is valid JSON exactly when its
   * skeleton (the text with `[]` for the items) and every item are, and nothing is added before
   * all items have parsed. false: not a List of this shape, or not valid JSON (the caller then
   * reads the text as a whole, which also finds the error).
   */
  private readJsonList(text: string, file: string): boolean {
    const read: (ReadItem | null)[] = [];
    let layout = scanJsonList(text);
    while (!this.readListItems(text, file, layout, read)) {
      // Not a List, or not valid JSON. Unless a guessed item end was wrong (see scanJsonList):
      // then scan again without guessing. The items read so far were proved and are kept.
      if (!layout?.guessed) return false;
      layout = scanJsonList(text, false);
    }
    this.stats.documents++;
    for (const r of read) if (r) this.commitObject(r);
    return true;
  }

  /** Reads the items of a List from `read.length` on; false: the layout is not a List's, or a piece does not parse. */
  private readListItems(text: string, file: string, layout: JsonListLayout | null, read: (ReadItem | null)[]): boolean {
    if (!layout) return false;
    let skeleton: unknown;
    try {
      skeleton = JSON.parse(`${text.slice(0, layout.open)}[]${text.slice(layout.close + 1)}`);
    } catch {
      return false;
    }
    if (typeof skeleton !== 'object' || skeleton === null || isSnapshotFile(skeleton)) return false;
    const o = skeleton as Record<string, unknown>;
    const kind = typeof o.kind === 'string' ? o.kind : '';
    if (!kind.endsWith('List') || !Array.isArray(o.items) || o.items.length !== 0) return false;
    // `kubectl get -o json` items carry their kind; raw API lists do not (PodList → Pod).
    const itemKind = kind === 'List' ? null : kind.slice(0, -'List'.length);
    for (let i = read.length; i < layout.items.length; i++) {
      const at = layout.items[i];
      let item: unknown;
      try {
        item = JSON.parse(text.slice(at.offset, at.end));
      } catch {
        return false;
      }
      if (itemKind && item && typeof item === 'object' && !(item as Record<string, unknown>).kind) {
        (item as Record<string, unknown>).kind = itemKind;
      }
      read.push(this.prepareObject(item, file, (p) => (p.length === 0 ? at.line : jsonPathLine(text, p, at) ?? at.line)));
    }
    return true;
  }

  private readYaml(text: string, file: string): void {
    const lineCounter = new LineCounter();
    let docs: Document.Parsed[];
    try {
      docs = parseAllDocuments(text, { version: '1.1', lineCounter, prettyErrors: false }) as Document.Parsed[];
    } catch (e) {
      this.warn(ErrorCode.INPUT_PARSE, `not YAML or JSON (${(e as Error).name})`, file, 1);
      return;
    }
    if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        // Name the place and the kind of error, never the text (a broken Secret line must not be echoed).
        const err = doc.errors[0];
        // An unclosed flow collection is only noticed where the document ends (the next `---`):
        // name the document's last line instead, not the start of the next document.
        const end = doc.range[1];
        const at = err.pos[0] >= end ? lastContentOffset(text, doc.range[0], end) : err.pos[0];
        const pos = lineCounter.linePos(at);
        const what = err.code.toLowerCase().replace(/_/g, ' ');
        this.warn(ErrorCode.INPUT_PARSE, `YAML syntax error (${what}); this document is skipped`, file, pos.line, pos.col);
        continue;
      }
      if (doc.contents === null) continue;
      this.stats.documents++;
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (e) {
        const start = doc.contents.range?.[0] ?? 0;
        this.warn(ErrorCode.INPUT_PARSE, `YAML document cannot be read (${(e as Error).name})`, file, lineCounter.linePos(start).line);
        continue;
      }
      const locate: Locate = (path) => {
        for (let n = path.length; n >= 0; n--) {
          const offset = yamlOffset(doc, path.slice(0, n));
          if (offset !== null) return lineCounter.linePos(offset).line;
        }
        return null;
      };
      this.readDocument(value, file, locate);
    }
  }

  /** One parsed document: an object, a `List`/`*List`, or an rbacgraph snapshot file. */
  private readDocument(doc: unknown, file: string, locate: Locate): void {
    if (doc === null || doc === undefined) return;
    if (isSnapshotFile(doc)) {
      for (const n of normalizedFromSnapshotFile(doc)) {
        if (this.skipSecrets && n.collection === 'secrets') continue;
        this.builder.add(n, { file, line: null });
        this.stats.objects++;
      }
      for (const gap of doc.coverage ?? []) this.builder.addCoverageGap(gap);
      if (doc.kubernetesVersion) this.builder.kubernetesVersion = doc.kubernetesVersion;
      return;
    }
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      this.warn(ErrorCode.INPUT_INVALID_OBJECT, 'document is not a Kubernetes object', file, locate([]));
      return;
    }
    const o = doc as Record<string, unknown>;
    const kind = typeof o.kind === 'string' ? o.kind : '';
    if (kind.endsWith('List') && Array.isArray(o.items)) {
      // `kubectl get -o json` items carry their kind; raw API lists do not (PodList → Pod).
      const itemKind = kind === 'List' ? null : kind.slice(0, -'List'.length);
      o.items.forEach((item, i) => {
        if (itemKind && item && typeof item === 'object' && !(item as Record<string, unknown>).kind) {
          (item as Record<string, unknown>).kind = itemKind;
        }
        this.readObject(item, file, (p) => locate(['items', i, ...p]));
      });
      return;
    }
    this.readObject(o, file, locate);
  }

  private readObject(raw: unknown, file: string, locate: Locate): void {
    const r = this.prepareObject(raw, file, locate);
    if (r) this.commitObject(r);
  }

  /** Normalize one raw object and locate its warnings, adding nothing yet. null: a Secret skipped by `--skip-secrets`. */
  private prepareObject(raw: unknown, file: string, locate: Locate): ReadItem | null {
    if (raw && typeof raw === 'object' && (raw as Record<string, unknown>).kind === 'Secret') {
      // Secret values are dropped here, at parse time, before anything else sees the object.
      delete (raw as Record<string, unknown>).data;
      delete (raw as Record<string, unknown>).stringData;
      if (this.skipSecrets) return null;
    }
    const { normalized, problems } = normalizeObject(raw, this.env);
    const warnings = problems.length === 0 ? null : problems.map((p) => warning(p.code, p.message, file, locate(p.path)));
    return { normalized, warnings, source: normalized ? this.sourceRef(file, locate([])) : null };
  }

  private commitObject(r: ReadItem): void {
    if (r.warnings) this.builder.warnings.push(...r.warnings);
    if (r.normalized) {
      this.builder.add(r.normalized, r.source);
      this.stats.objects++;
    } else if (!r.warnings) {
      this.stats.ignored++;
    }
  }

  /** One shared, frozen SourceRef per run of objects from the same file and line (a one-line dump: all of them). */
  private sourceRef(file: string, line: number | null): SourceRef {
    const last = this.lastSource;
    if (last && last.file === file && last.line === line) return last;
    return (this.lastSource = Object.freeze({ file, line }));
  }

  warn(code: ErrorCode, message: string, file: string | null, line: number | null, column?: number): void {
    this.builder.warnings.push(warning(code, message, file, line, column));
  }

  finish(): IngestResult {
    if (this.stats.objects === 0) this.warn(ErrorCode.INPUT_EMPTY, 'the input holds no objects that rbacgraph analyses', null, null);
    this.builder.ignored = this.stats.ignored;
    const snapshot = this.builder.build();
    return { snapshot, warnings: this.builder.warnings, stats: { ...this.stats } };
  }
}

/** Offset of the last character before `end` that is not blank and not in a comment line (`start` if none). */
function lastContentOffset(text: string, start: number, end: number): number {
  let lineEnd = end;
  while (lineEnd > start) {
    const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
    const body = text.slice(Math.max(lineStart, start), lineEnd);
    const trimmed = body.trim();
    if (trimmed !== '' && !trimmed.startsWith('#') && trimmed !== '---') return Math.max(lineStart, start) + body.trimEnd().length - 1;
    lineEnd = lineStart - 1;
  }
  return start;
}

/**
 * Where a field starts in a parsed YAML document: for a map entry the line of its key (`verbs:`,
 * even when the value starts on the next line), for a list element the element. null: not found.
 */
function yamlOffset(doc: Document.Parsed, path: (string | number)[]): number | null {
  if (path.length === 0) return doc.contents?.range?.[0] ?? null;
  const parent = doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
    if (!pair) return null;
    if (isNode(pair.key) && pair.key.range) return pair.key.range[0];
    return isNode(pair.value) && pair.value.range ? pair.value.range[0] : null;
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item: unknown = parent.items[last];
    return isNode(item) && item.range ? item.range[0] : null;
  }
  return null;
}

/**
 * Lines of a parsed JSON document, looked up only when asked: for a warning, and for each object's
 * source reference.
 *
 * - A document on one line (a compact dump such as the output of `jq -c`, blank lines after it
 *   aside) has every value on line 1: no scan at all. One native `indexOf` tells.
 * - Otherwise, one scan finds the list's items on the first lookup, then each lookup scans just
 *   the one item (a large `kubectl get -A -o json` dump is not rescanned per object or warning).
 */
function jsonLocator(text: string): Locate {
  if (isOneLine(text)) return () => 1;
  let items: JsonItem[] | null = null;
  return (path) => {
    if (path[0] !== 'items' || typeof path[1] !== 'number') return jsonPathLine(text, path) ?? 1;
    items ??= jsonArrayItems(text, 'items');
    const item = items[path[1]];
    if (!item) return null;
    return jsonPathLine(text, path.slice(2), item) ?? item.line;
  };
}

/** The text has no line break before its last line holding anything but blanks. */
function isOneLine(text: string): boolean {
  const nl = text.indexOf('\n');
  if (nl < 0) return true;
  for (let i = nl + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}

/** Where one element of a JSON array starts: its offset and 1-based line. */
export interface JsonItem {
  offset: number;
  line: number;
}

/** Offset and line of each element of the top-level array `key` in a JSON text (one scan). */
export function jsonArrayItems(text: string, key: string): JsonItem[] {
  const out: JsonItem[] = [];
  let line = 1;
  let depth = 0;
  let lastKey = '';
  let inTarget = false;
  let expectItem = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (inTarget && depth === 2 && expectItem && c !== 93) {
      out.push({ offset: i, line });
      expectItem = false;
    }
    if (c === 34) {
      // Jump to the closing quote natively (most of a dump is strings). A string in parsed JSON
      // holds no raw line break, so no line is skipped.
      const end = stringEnd(text, i);
      if (end < 0) return out;
      if (depth === 1) lastKey = text.slice(i + 1, end);
      i = end;
    } else if (c === 123 || c === 91) {
      depth++;
      if (c === 91 && depth === 2 && lastKey === key) {
        inTarget = true;
        expectItem = true;
      }
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 1 && inTarget) return out;
    } else if (c === 44 && inTarget && depth === 2) {
      expectItem = true;
    }
  }
  return out;
}

/** Where the items of a JSON `{..., "items": [...], ...}` text lie. */
export interface JsonListLayout {
  /** Offsets of the items array's `[` and `]`. */
  open: number;
  close: number;
  /** Each item: where it starts (and its line) and where the `,` or `]` after it is. */
  items: (JsonItem & { end: number })[];
  /** Some item ends were guessed: a piece that does not parse may be a wrong guess, not bad JSON. */
  guessed: boolean;
}

/**
 * A file's text (UTF-8). Read, then decoded: on Node 20 this is about 0.3 s faster for a 400 MB
 * dump than asking readFileSync for a string, with the same decoding.
 */
export function readTextFile(file: string): string {
  return readFileSync(file).toString('utf8');
}

/**
 * One scan of a JSON text whose top level is an object with an `items` array: where the array and
 * each item are. It tokenizes strings as JSON does, and checks only the structure it relies on:
 * the caller parses the rest (skeleton and items) with JSON.parse, which checks everything else.
 * null: not of that shape, or something the split could get wrong (a second `items` key, a
 * top-level key written with escapes, a stray `,`, text after the top-level object).
 *
 * With `guess`, an object item's end is looked for where the text between the first two items
 * recurs (`},{"apiVersion"`, found by indexOf), not scanned for. A wrong guess cuts a piece that
 * does not parse, because an object's text is valid JSON only up to its own closing brace: a
 * layout whose pieces all parse is exact. If one does not, the caller scans again without
 * guessing (`guessed` says whether that could help); a scan that fails after a guess does so itself.
 */
export function scanJsonList(text: string, guess = true): JsonListLayout | null {
  const state = { guessed: false };
  const layout = scanList(text, guess, state);
  return layout === null && state.guessed ? scanList(text, false, state) : layout;
}

function scanList(text: string, guess: boolean, state: { guessed: boolean }): JsonListLayout | null {
  const items: JsonListLayout['items'] = [];
  let open = -1;
  let close = -1;
  let line = 1;
  let depth = 0;
  let done = false;
  let expectKey = false;
  let key = '';
  let inItems = false;
  let expectItem = false;
  let itemStart = -1;
  let itemLine = 0;
  const newlines = { count: 0 };
  /** Where the last object item scanned in full ends, and the text that separates items (once learned). */
  let lastObjectEnd = -1;
  let delimiter: string | null = null;
  const lines = new NewlineCursor(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (done || (depth === 0 && c !== 123)) return null;
    if (expectItem && c !== 93) {
      itemStart = i;
      itemLine = line;
      expectItem = false;
      // Learnt between two object items in a row (a scalar or array between them starts over).
      if (c !== 123) lastObjectEnd = -1;
      else if (guess && delimiter === null && lastObjectEnd >= 0) delimiter = itemDelimiter(text, lastObjectEnd, i);
      const end = c === 123 && delimiter !== null ? text.indexOf(delimiter, i) : -1;
      if (end >= 0) {
        // A guess (see above): proved or refuted when the caller parses the piece.
        state.guessed = true;
        line += lines.count(i, end);
        i = end;
        continue;
      }
      if (c === 123 || c === 91) {
        // An object or array item: skipped in one tight loop (most of the text is items).
        const end = containerEnd(text, i, newlines);
        if (end < 0) return null;
        line += newlines.count;
        i = end;
        if (c === 123) lastObjectEnd = end;
        continue;
      }
    }
    if (c === 34) {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      if (depth === 1 && expectKey) {
        key = text.slice(i + 1, end);
        if (key.includes('\\')) return null;
        if (key === 'items' && open >= 0) return null;
        expectKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth === 1) expectKey = true;
      else if (depth === 2 && c === 91 && key === 'items' && open < 0) {
        open = i;
        inItems = true;
        expectItem = true;
      }
    } else if (c === 125 || c === 93) {
      if (inItems && depth === 2) {
        if (c !== 93) return null;
        if (itemStart >= 0) items.push({ offset: itemStart, line: itemLine, end: i });
        else if (items.length > 0) return null; // `[x, ]`
        close = i;
        inItems = false;
        expectItem = false;
        itemStart = -1;
      }
      depth--;
      if (depth === 0) done = true;
    } else if (c === 44) {
      if (depth === 1) expectKey = true;
      else if (inItems && depth === 2) {
        if (itemStart < 0 || itemStart === i) return null; // `[,` or `,,`
        items.push({ offset: itemStart, line: itemLine, end: i });
        itemStart = -1;
        expectItem = true;
      }
    }
  }
  return done && open >= 0 && close > open ? { open, close, items, guessed: state.guessed } : null;
}

/**
 * The text from the `}` that ends one object item through the first key of the next item, which
 * opens at `next` (`},{"apiVersion"`, or with kubectl's indentation between); null if that item
 * does not open with a key. Nested objects rarely repeat it: their indentation or keys differ.
 */
function itemDelimiter(text: string, objectEnd: number, next: number): string | null {
  let k = next + 1;
  while (k < text.length && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 10 || text.charCodeAt(k) === 13 || text.charCodeAt(k) === 9)) k++;
  if (text.charCodeAt(k) !== 34) return null;
  const q = stringEnd(text, k);
  return q < 0 ? null : text.slice(objectEnd, q + 1);
}

/** Counts newlines in successive ranges of a text, each found once by indexOf (compact JSON has none). */
class NewlineCursor {
  private next = -2;

  constructor(private readonly text: string) {}

  /** Newlines in [from, to); ranges must not go backwards. */
  count(from: number, to: number): number {
    if (this.next !== -1 && this.next < from) this.next = this.text.indexOf('\n', from);
    let n = 0;
    while (this.next !== -1 && this.next < to) {
      n++;
      this.next = this.text.indexOf('\n', this.next + 1);
    }
    return n;
  }
}

/** Character classes for containerEnd: 1 newline, 2 quote, 3 opening and 4 closing bracket. */
const JSON_CLASS = new Uint8Array(128);
JSON_CLASS[10] = 1;
JSON_CLASS[34] = 2;
JSON_CLASS[91] = JSON_CLASS[123] = 3;
JSON_CLASS[93] = JSON_CLASS[125] = 4;

/**
 * Offset of the bracket closing the object or array that opens at `start`, strings skipped as
 * JSON tokenizes them (-1: unclosed); `lines.count` is set to the newlines in between. Brackets
 * are only counted, not matched: the caller's JSON.parse of the item checks the rest.
 */
function containerEnd(text: string, start: number, lines: { count: number }): number {
  let depth = 0;
  let newlines = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? JSON_CLASS[c] : 0;
    if (k === 0) continue;
    if (k === 1) newlines++;
    else if (k === 2) {
      const end = stringEnd(text, i);
      if (end < 0) return -1;
      i = end;
    } else if (k === 3) depth++;
    else if (--depth === 0) {
      lines.count = newlines;
      return i;
    }
  }
  return -1;
}

/** Offset of the quote closing the JSON string that opens at `start` (-1: unclosed). */
function stringEnd(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  while (q > 0) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

interface JsonFrame {
  array: boolean;
  /** The container itself lies on the path searched for. */
  onPath: boolean;
  index: number;
  key: string | null;
  keyLine: number;
  expectKey: boolean;
}

const isJsonDelimiter = (c: number): boolean => c === 44 || c === 93 || c === 125 || c === 32 || c === 9 || c === 13 || c === 10 || c === 58;

/**
 * Line (1-based) of the value at `path` in a JSON text (for an object member: the line of its key),
 * scanning the one value that starts at `from` (default: the whole text). null: not found. Used only
 * for warnings, so that `rules[2].verbs is not a list` names the line of that field in JSON too.
 */
export function jsonPathLine(text: string, path: readonly (string | number)[], from: JsonItem = { offset: 0, line: 1 }): number | null {
  const stack: JsonFrame[] = [];
  let line = from.line;
  for (let i = from.offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 58) continue;
    const top = stack.length > 0 ? stack[stack.length - 1] : null;
    if (c === 44) {
      if (top) {
        if (top.array) top.index++;
        else top.expectKey = true;
      }
      continue;
    }
    if (c === 125 || c === 93) {
      stack.pop();
      if (stack.length === 0) return null;
      continue;
    }
    let end = i;
    if (c === 34) {
      end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 34) end += text.charCodeAt(end) === 92 ? 2 : 1;
      if (top && !top.array && top.expectKey) {
        top.expectKey = false;
        top.keyLine = line;
        top.key = null;
        if (top.onPath) {
          try {
            top.key = JSON.parse(text.slice(i, end + 1)) as string;
          } catch {
            // A broken key matches nothing.
          }
        }
        i = end;
        continue;
      }
    }
    // A value starts here: is it the one searched for?
    const depth = stack.length;
    const onPath = top === null || (top.onPath && depth <= path.length && path[depth - 1] === (top.array ? top.index : top.key));
    if (onPath && depth === path.length) return top === null || top.array ? line : top.keyLine;
    if (c === 123 || c === 91) {
      stack.push({ array: c === 91, onPath, index: 0, key: null, keyLine: line, expectKey: c === 123 });
      continue;
    }
    if (c !== 34) while (end + 1 < text.length && !isJsonDelimiter(text.charCodeAt(end + 1))) end++;
    i = end;
    if (stack.length === 0) return null;
  }
  return null;
}
