// Live-cluster collector: paginated lists through the Kubernetes API into the same snapshot a file dump gives.

import { parse as parseYamlText } from 'yaml';
import { ErrorCode, RbacgraphError, UsageError, warning, type Warning } from '../errors.js';
import type { InputOptions, LiveLoader } from '../cli/common.js';
import type { CliIO } from '../cli/io.js';
import { SnapshotBuilder } from '../snapshot/builder.js';
import { LAST_APPLIED, normalizeObject, type Normalized, type NormalizeEnv, type ObjectProblem } from '../snapshot/normalize.js';
import type { CoverageGap, CoverageStatus, Snapshot } from '../snapshot/types.js';
import { KubeApiError, KubeClient, type KubeClientOptions, type KubeRequest, type KubeResponse } from './kube-client.js';
import { resolveCluster, type ClusterSelection, type ResolvedCluster } from './kube-config.js';
import {
  apiVersionOf, collectionPath, fieldSelectorOf, LIVE_RESOURCES, PARTIAL_LIST_ACCEPT, resourceLabel, type LiveResource,
} from './kube-resources.js';

export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60_000;
/** A continue token can expire (410 Gone) during a long list: start that list again, this often. */
const LIST_RESTARTS = 2;

export interface CollectOptions {
  cluster: ResolvedCluster;
  /** Items per page (`limit`); the API server may return fewer. */
  pageSize?: number;
  /** Overall timeout for the whole scan, retries included; Infinity for none. */
  timeoutMs?: number;
  skipSecrets?: boolean;
  defaultNamespace?: string;
  /** Lists in flight at once. */
  concurrency?: number;
  client?: KubeClientOptions;
  onProgress?: (p: CollectProgress) => void;
  signal?: AbortSignal;
}

export interface CollectProgress {
  resourcesDone: number;
  resourcesTotal: number;
  objects: number;
  /** The resources being listed right now. */
  current: string[];
}

export interface CollectResult {
  snapshot: Snapshot;
  warnings: Warning[];
  server: string;
  context: string;
  cluster: string;
  /** API requests made, retries included. */
  requests: number;
  retries: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a failed read means for the snapshot: a coverage gap (the rest goes on) or the end of the scan. */
export function gapStatusOf(e: KubeApiError): CoverageStatus {
  if (e.status === 403) return 'forbidden';
  if (e.status === 404) return 'not-found';
  return 'error';
}

export function coverageWarning(gap: CoverageGap, r: LiveResource): Warning {
  const code = gap.status === 'forbidden' ? ErrorCode.COVERAGE_FORBIDDEN : gap.status === 'not-found' ? ErrorCode.COVERAGE_NOT_FOUND : ErrorCode.COVERAGE_ERROR;
  const what = gap.status === 'forbidden' ? 'the credentials may not read them' : gap.status === 'not-found' ? 'the API server does not serve them' : 'reading them failed';
  return warning(code, `${gap.kind} objects are missing (${what}: ${gap.message}); answers that depend on them may be incomplete: ${r.affects}`);
}

/**
 * Turn one list item into the object normalizeObject reads. API list items carry no kind or
 * apiVersion. Metadata-only items keep nothing but their metadata, and a Secret's
 * last-applied-configuration annotation (it holds the values kubectl applied) is dropped on receipt.
 */
export function rawFromItem(r: LiveResource, item: unknown): Obj | null {
  if (!isObj(item)) return null;
  if (r.metadataOnly) {
    const meta = isObj(item.metadata) ? { ...item.metadata } : {};
    delete meta.managedFields;
    if (isObj(meta.annotations) && LAST_APPLIED in meta.annotations) {
      const ann = { ...meta.annotations };
      delete ann[LAST_APPLIED];
      meta.annotations = ann;
    }
    const raw: Obj = { kind: r.kind, apiVersion: apiVersionOf(r), metadata: meta };
    if (r.itemType) raw.type = r.itemType;
    return raw;
  }
  item.kind = r.kind;
  item.apiVersion = apiVersionOf(r);
  if (r.kind === 'Secret') {
    delete item.data;
    delete item.stringData;
  }
  return item;
}

/** A list page's items, refusing a full list where metadata only was asked (values must never be used). */
export function pageItems(r: LiveResource, page: unknown): { items: unknown[]; resourceVersion: string; continueToken: string | null } {
  if (!isObj(page) || !Array.isArray(page.items)) throw new KubeApiError(`${collectionPath(r)}: the answer is not a list`, 200, 'BadResponse', false);
  if (r.metadataOnly && page.kind !== 'PartialObjectMetadataList') {
    throw new KubeApiError(`${collectionPath(r)}: the API server answered a metadata-only list with ${String(page.kind)}; its items are discarded`, 200, 'NotMetadata', false);
  }
  const meta = isObj(page.metadata) ? page.metadata : {};
  return {
    items: page.items,
    resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '',
    continueToken: typeof meta.continue === 'string' && meta.continue ? meta.continue : null,
  };
}

export function normalizeEnv(defaultNamespace: string): NormalizeEnv {
  return { defaultNamespace, parseYaml: (t) => parseYamlText(t) };
}

/** One listed object, normalized as soon as its page arrives (raw objects are never kept: memory). */
interface Item {
  normalized: Normalized | null;
  problems: ObjectProblem[];
}

interface Outcome {
  items: Item[];
  gap: CoverageGap | null;
}

export interface ListOptions {
  pageSize: number;
  /** Sends one request with the caller's retries, deadline and 401 handling. */
  call: (req: KubeRequest) => Promise<KubeResponse>;
  onPage?: (items: number) => void;
}

/**
 * A complete paginated list (limit/continue) of one resource, each item turned by `map` (from the
 * raw object normalizeObject reads) as its page arrives, and the list's resourceVersion (where a
 * watch starts). A continue token that expires (410 Gone) starts the list again from the
 * beginning, up to LIST_RESTARTS times.
 */
export async function listAll<T>(client: KubeClient, r: LiveResource, opts: ListOptions, map: (raw: Obj) => T | null): Promise<{ items: T[]; resourceVersion: string }> {
  const path = collectionPath(r);
  for (let restart = 0; ; restart++) {
    const items: T[] = [];
    let cont: string | null = null;
    let expired = false;
    let resourceVersion = '';
    do {
      const req: KubeRequest = {
        path,
        query: { limit: String(opts.pageSize), continue: cont ?? undefined, fieldSelector: fieldSelectorOf(r) },
        accept: r.metadataOnly ? PARTIAL_LIST_ACCEPT : 'application/json',
      };
      const res = await opts.call(req);
      if (res.status === 410 && cont !== null && restart < LIST_RESTARTS) {
        expired = true; // the continue token expired: list again from the start
        break;
      }
      if (res.status < 200 || res.status >= 300) {
        const err = client.statusError(req, res);
        if (res.status === 406 && r.metadataOnly) {
          throw new KubeApiError(`${err.message} (the API server cannot list metadata only; rbacgraph never asks for full secrets)`, 406, err.reason, false);
        }
        throw err;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.body);
      } catch (e) {
        throw new KubeApiError(`${path}: the answer is not JSON`, res.status, 'BadResponse', false, { cause: e });
      }
      const page = pageItems(r, parsed);
      // Every page of one list has the first page's resourceVersion.
      if (cont === null) resourceVersion = page.resourceVersion;
      for (const item of page.items) {
        const raw = rawFromItem(r, item);
        const t = raw ? map(raw) : null;
        if (t !== null) items.push(t);
      }
      opts.onPage?.(page.items.length);
      cont = page.continueToken;
    } while (cont !== null);
    if (!expired) return { items, resourceVersion };
  }
}

/** Reads every resource of LIVE_RESOURCES into one snapshot; unreadable kinds become coverage gaps. */
export async function collectSnapshot(opts: CollectOptions): Promise<CollectResult> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  let requests = 0;
  let retries = 0;
  const client = new KubeClient(opts.cluster, {
    ...opts.client,
    onRetry: (i) => {
      retries++;
      opts.client?.onRetry?.(i);
    },
  });
  const call = async (req: KubeRequest): Promise<KubeResponse> => {
    requests++;
    const res = await client.call(req, { deadline, signal: opts.signal });
    if (res.status === 401) throw client.unauthorized();
    return res;
  };
  const builder = new SnapshotBuilder();
  const warnings: Warning[] = [];
  const env = normalizeEnv(opts.defaultNamespace ?? 'default');
  try {
    // /version first: it is public, so it tells whether the server is reachable at all.
    try {
      requests++;
      const v = await client.json({ path: '/version' }, { deadline, signal: opts.signal });
      if (isObj(v) && typeof v.gitVersion === 'string') builder.kubernetesVersion = v.gitVersion;
    } catch (e) {
      if (!(e instanceof KubeApiError) || e.status === null || e.status === 401) throw e;
      warnings.push(warning(ErrorCode.COVERAGE_ERROR, `cannot read the server version (${e.message}); pods/exec is evaluated as before 1.35 unless --kubernetes-version says otherwise`));
    }

    const resources = LIVE_RESOURCES.filter((r) => !(opts.skipSecrets && r.secret));
    const outcomes = new Map<LiveResource, Outcome>();
    let done = 0;
    let objects = 0;
    const current = new Set<string>();
    const progress = (): void => opts.onProgress?.({ resourcesDone: done, resourcesTotal: resources.length, objects, current: [...current] });

    const readOne = async (r: LiveResource): Promise<Outcome> => {
      const path = collectionPath(r);
      if (r.name) {
        const res = await call({ path: `${path}/${encodeURIComponent(r.name)}` });
        if (res.status === 404) return { items: [], gap: null }; // most clusters have no aws-auth
        if (res.status < 200 || res.status >= 300) throw client.statusError({ path: `${path}/${r.name}` }, res);
        let parsed: unknown;
        try {
          parsed = JSON.parse(res.body);
        } catch (e) {
          throw new KubeApiError(`${path}/${r.name}: the answer is not JSON`, res.status, 'BadResponse', false, { cause: e });
        }
        const raw = rawFromItem(r, parsed);
        return { items: raw ? [normalizeObject(raw, env)] : [], gap: null };
      }
      const { items } = await listAll(client, r, { pageSize, call, onPage: (n) => {
        objects += n;
        progress();
      } }, (raw) => normalizeObject(raw, env));
      return { items, gap: null };
    };

    const work = async (r: LiveResource): Promise<void> => {
      current.add(resourceLabel(r));
      progress();
      try {
        outcomes.set(r, await readOne(r));
      } catch (e) {
        if (!(e instanceof KubeApiError) || e.status === 401 || e.reason === 'Aborted' || e.reason === 'Credentials') throw e;
        outcomes.set(r, { items: [], gap: { kind: r.coverageKind, status: gapStatusOf(e), message: e.message } });
      } finally {
        current.delete(resourceLabel(r));
        done++;
        progress();
      }
    };

    const queue = [...resources];
    const workers = Array.from({ length: Math.min(opts.concurrency ?? 4, queue.length) }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await work(r);
    });
    await Promise.all(workers);

    // Nothing answered but connection errors: the server is unreachable, not partly readable.
    const all = [...outcomes.values()];
    if (all.length > 0 && all.every((o) => o.gap && o.gap.status === 'error' && /cannot reach|timed out/.test(o.gap.message))) {
      throw new KubeApiError(`cannot read the cluster at ${client.server.host}: ${all[0].gap!.message}`, null, 'Unreachable', false);
    }

    // Secrets come from two lists: every secret's metadata, and the token secrets (whose type that
    // list cannot carry). Merge them by name so that each secret is added once, typed when it is a token.
    const secrets = new Map<string, Item>();
    const gaps = new Map<string, CoverageGap>();
    for (const r of resources) {
      const o = outcomes.get(r)!;
      if (o.gap) {
        // Two lists of one kind (secrets): the first gap in resource order is the recorded one.
        const prev = gaps.get(o.gap.kind);
        if (!prev) {
          gaps.set(o.gap.kind, o.gap);
          builder.addCoverageGap(o.gap);
        }
        warnings.push(coverageWarning(prev ? { ...o.gap, status: prev.status } : o.gap, r));
        continue;
      }
      const source = { file: `${client.server.origin}${collectionPath(r)}`, line: null };
      for (const item of o.items) {
        if (item.normalized?.collection === 'secrets') {
          const id = item.normalized.object.id;
          if (!secrets.has(id) || r.itemType) secrets.set(id, item);
          continue;
        }
        addItem(builder, warnings, item, source);
      }
    }
    if (opts.skipSecrets) {
      builder.addCoverageGap({ kind: 'Secret', status: 'skipped', message: '--skip-secrets: secrets were not listed; secret reachability covers only secrets that pods reference' });
    }
    const secretSource = { file: `${client.server.origin}${collectionPath(LIVE_RESOURCES.find((r) => r.kind === 'Secret')!)}`, line: null };
    for (const id of [...secrets.keys()].sort()) addItem(builder, warnings, secrets.get(id)!, secretSource);

    const snapshot = builder.build();
    return {
      snapshot,
      warnings: [...warnings, ...builder.warnings],
      server: client.server.origin,
      context: opts.cluster.context,
      cluster: opts.cluster.cluster,
      requests,
      retries,
    };
  } finally {
    client.close();
  }
}

function addItem(builder: SnapshotBuilder, warnings: Warning[], item: Item, source: { file: string; line: null }): void {
  for (const p of item.problems) warnings.push(warning(p.code, p.message, source.file, null));
  if (item.normalized) builder.add(item.normalized, source);
}

/** `30s`, `2m`, `1h`, `500ms`, or plain seconds; 0 means no timeout. */
export function parseDuration(v: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) throw new UsageError(`${name} must be a duration like 30s, 5m or 1h, not "${v}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
  return ms === 0 ? Infinity : ms;
}

export function parsePageSize(v: string | undefined): number {
  if (v === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--page-size must be a whole number of at least 1, not "${v}"`);
  return Number(v);
}

/** The options every live command shares, beyond InputOptions. */
export interface LiveOptions extends InputOptions {
  pageSize?: string;
  requestTimeout?: string;
}

export function selectionFrom(opts: { kubeconfig?: string; context?: string }, io: CliIO): ClusterSelection {
  return { kubeconfig: opts.kubeconfig, context: opts.context, env: io.env };
}

/** A progress line on stderr, only on a terminal, redrawn at most every 100 ms and cleared at the end. */
export function progressPrinter(io: CliIO): { update: (p: CollectProgress) => void; clear: () => void } {
  if (!io.isTTY) return { update: () => undefined, clear: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last < 100 && p.resourcesDone < p.resourcesTotal) return;
      last = now;
      shown = true;
      const cur = p.current.length ? `: ${p.current.join(', ')}` : '';
      io.stderr(`\r\x1b[2Kscanning ${p.resourcesDone}/${p.resourcesTotal} kinds, ${p.objects} objects${cur}`);
    },
    clear: () => {
      if (shown) io.stderr('\r\x1b[2K');
    },
  };
}

/** Everything a live command needs from its options: the cluster, then a full collection. */
export async function collectLive(opts: LiveOptions, io: CliIO): Promise<CollectResult> {
  const cluster = resolveCluster(selectionFrom(opts, io));
  const timeoutMs = opts.requestTimeout !== undefined ? parseDuration(opts.requestTimeout, '--request-timeout') : DEFAULT_REQUEST_TIMEOUT_MS;
  const pageSize = parsePageSize(opts.pageSize);
  const progress = progressPrinter(io);
  try {
    return await collectSnapshot({
      cluster,
      pageSize,
      timeoutMs,
      skipSecrets: opts.skipSecrets === true,
      defaultNamespace: opts.defaultNamespace,
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
}

/** The loader `--kubeconfig`/`--context` use in every command (cli/common.ts imports it on demand). */
export const liveLoader: LiveLoader = async (opts, io) => {
  try {
    const r = await collectLive(opts as LiveOptions, io);
    return { snapshot: r.snapshot, warnings: r.warnings };
  } catch (e) {
    if (e instanceof RbacgraphError) throw e;
    throw new RbacgraphError(ErrorCode.KUBE_API, `live scan failed: ${(e as Error).message}`, { cause: e });
  }
};
