// Reads manifests and kubectl dumps from files, folders and stdin into a snapshot, per-document recovery.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parse as parseYamlText, parseAllDocuments, type Document } from 'yaml';
import { ErrorCode, RbacgraphError, warning, type Warning } from '../errors.js';
import { SnapshotBuilder } from '../snapshot/builder.js';
import { normalizeObject, type NormalizeEnv } from '../snapshot/normalize.js';
import { isSnapshotFile, normalizedFromSnapshotFile } from '../snapshot/serialize.js';
import type { Snapshot } from '../snapshot/types.js';

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

  constructor(opts: IngestOptions = {}) {
    this.env = { defaultNamespace: opts.defaultNamespace ?? 'default', parseYaml: (t) => parseYamlText(t) };
    this.skipSecrets = opts.skipSecrets ?? false;
  }

  readFile(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      this.warn(ErrorCode.INPUT_PARSE, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, file, null);
      return;
    }
    this.readText(text, file);
  }

  readText(text: string, file: string): void {
    this.stats.files++;
    const first = text.trimStart()[0];
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
        // Lines are looked up only for a warning: one scan finds the list's items, then each lookup
        // scans just the one item (a large `kubectl get -A -o json` dump is not rescanned per warning).
        let items: JsonItem[] | null = null;
        const locate: Locate = (path) => {
          if (path[0] !== 'items' || typeof path[1] !== 'number') return jsonPathLine(text, path) ?? 1;
          items ??= jsonArrayItems(text, 'items');
          const item = items[path[1]];
          if (!item) return null;
          return jsonPathLine(text, path.slice(2), item) ?? item.line;
        };
        this.readDocument(doc, file, locate);
        return;
      }
    }
    this.readYaml(text, file);
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
    if (raw && typeof raw === 'object' && (raw as Record<string, unknown>).kind === 'Secret') {
      // Secret values are dropped here, at parse time, before anything else sees the object.
      delete (raw as Record<string, unknown>).data;
      delete (raw as Record<string, unknown>).stringData;
      if (this.skipSecrets) return;
    }
    const { normalized, problems } = normalizeObject(raw, this.env);
    for (const p of problems) this.warn(p.code, p.message, file, locate(p.path));
    if (normalized) {
      this.builder.add(normalized, { file, line: locate([]) });
      this.stats.objects++;
    } else if (problems.length === 0) {
      this.stats.ignored++;
    }
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

/** Where one element of a JSON array starts: its offset and 1-based line. */
export interface JsonItem {
  offset: number;
  line: number;
}

/**
 * Line (1-based) of each element of the top-level array `key` in a JSON text, found by a single
 * scan. Used only when a warning must name the line of one item of a large `kubectl get -o json`.
 */
export function jsonArrayItemLines(text: string, key: string): number[] {
  return jsonArrayItems(text, key).map((i) => i.line);
}

/** Offset and line of each element of the top-level array `key` in a JSON text (one scan). */
export function jsonArrayItems(text: string, key: string): JsonItem[] {
  const out: JsonItem[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey = '';
  let inTarget = false;
  let expectItem = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) {
        inString = false;
        if (depth === 1) lastKey = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 10) continue;
    if (inTarget && depth === 2 && expectItem && c !== 93) {
      out.push({ offset: i, line });
      expectItem = false;
    }
    if (c === 34) {
      inString = true;
      stringStart = i;
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
