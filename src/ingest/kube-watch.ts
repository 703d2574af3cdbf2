// Watch mode's collector: one informer (list, then watch) per resource keeps the snapshot current; changes are batched.

import { setMaxListeners } from 'node:events';
import { ErrorCode, warning, type Warning } from '../errors.js';
import { SnapshotBuilder } from '../snapshot/builder.js';
import { normalizeObject, type Normalized, type NormalizeEnv } from '../snapshot/normalize.js';
import type { CoverageGap, Snapshot } from '../snapshot/types.js';
import { isAbort, KubeApiError, KubeClient, sleep, type KubeClientOptions, type KubeRequest, type KubeResponse, type WatchEvent } from './kube-client.js';
import type { ResolvedCluster } from './kube-config.js';
import { coverageWarning, DEFAULT_PAGE_SIZE, DEFAULT_REQUEST_TIMEOUT_MS, gapStatusOf, listAll, normalizeEnv, rawFromItem } from './kube.js';
import { collectionPath, fieldSelectorOf, LIVE_RESOURCES, PARTIAL_OBJECT_ACCEPT, resourceLabel, type LiveResource } from './kube-resources.js';

export interface WatcherOptions {
  cluster: ResolvedCluster;
  skipSecrets?: boolean;
  defaultNamespace?: string;
  pageSize?: number;
  /** Time limit of each (re)list, retries included. */
  listTimeoutMs?: number;
  /** Quiet time after a change before the batch is built (default 200 ms). */
  debounceMs?: number;
  /** Under continuous churn, a batch is built at least this often (default 1 s). */
  maxBatchDelayMs?: number;
  /** Server-side watch timeout; the informer then watches again from where it was (default 300 s). */
  watchTimeoutSeconds?: number;
  /** When a kind may be listed but not watched (or not read at all), list it again this often (default 60 s). */
  resyncMs?: number;
  client?: KubeClientOptions;
  /** A new snapshot after the initial sync (initial: true) and after each batch of changes. */
  onSnapshot: (snapshot: Snapshot, info: { initial: boolean }) => void;
  onWarning?: (w: Warning) => void;
}

interface Entry {
  resourceVersion: string;
  normalized: Normalized | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function keyOf(raw: Obj): string | null {
  const meta = isObj(raw.metadata) ? raw.metadata : null;
  if (!meta || typeof meta.name !== 'string') return null;
  return typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}

function rvOf(o: unknown): string {
  const meta = isObj(o) && isObj(o.metadata) ? o.metadata : null;
  return meta && typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
}

export interface InformerStats {
  resource: string;
  lists: number;
  watches: number;
  events: number;
  /** Relists forced by 410 Gone (an expired resourceVersion). */
  gone: number;
}

/** List, then watch from the list's resourceVersion; relist after 410 Gone. Keeps one resource's objects. */
class Informer {
  store = new Map<string, Entry>();
  gap: CoverageGap | null = null;
  synced = false;
  resourceVersion: string | null = null;
  /** Watch was forbidden (only list granted): warned once; the informer relists every resyncMs and tries again. */
  private watchForbidden = false;
  readonly stats: InformerStats;

  constructor(
    readonly r: LiveResource,
    private readonly w: ClusterWatcher,
  ) {
    this.stats = { resource: resourceLabel(r), lists: 0, watches: 0, events: 0, gone: 0 };
  }

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === null) await this.relist(signal);
        await this.watch(signal);
        this.watchForbidden = false;
        failures = 0;
      } catch (e) {
        if (isAbort(e) || signal.aborted) return;
        const err = e instanceof KubeApiError ? e : new KubeApiError(String((e as Error)?.message ?? e), null, 'Error', true);
        if (err.status === 410) {
          // The resourceVersion is too old (compacted): list again. The relist replaces the store,
          // so nothing deleted meanwhile survives and nothing is counted twice.
          this.stats.gone++;
          this.resourceVersion = null;
          continue;
        }
        if (this.resourceVersion === null) {
          // The list failed: the kind is missing from the snapshot until a later list succeeds. Forbidden
          // or gone: what was known of it no longer counts; a passing failure keeps the last objects.
          if ((err.status === 403 || err.status === 404) && this.store.size > 0) {
            this.store = new Map();
            this.w.changed();
          }
          this.setGap({ kind: this.r.coverageKind, status: gapStatusOf(err), message: err.message });
          this.markSynced();
          await sleep(err.status === 403 || err.status === 404 ? this.w.resyncMs : this.w.backoff(++failures), signal).catch(() => undefined);
          continue;
        }
        if (err.status === 403) {
          // Listing is allowed, watching is not: stay current by listing again (and trying the watch
          // again after each list, in case the permission comes).
          if (!this.watchForbidden) {
            this.w.warn(warning(ErrorCode.COVERAGE_FORBIDDEN, `may list but not watch ${resourceLabel(this.r)} (${err.message}); listing it again every ${Math.max(1, Math.round(this.w.resyncMs / 1000))} s instead`));
          }
          this.watchForbidden = true;
          await sleep(this.w.resyncMs, signal).catch(() => undefined);
          this.resourceVersion = null;
          continue;
        }
        // A broken stream or a server restart: watch again from where we were, after a pause.
        await sleep(this.w.backoff(++failures), signal).catch(() => undefined);
      }
    }
  }

  private setGap(gap: CoverageGap | null): void {
    const changed = (gap === null) !== (this.gap === null) || (gap !== null && this.gap !== null && gap.status !== this.gap.status);
    this.gap = gap;
    if (!changed) return;
    if (gap) this.w.warn(coverageWarning(gap, this.r));
    this.w.changed();
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.w.informerSynced();
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.w.listTimeoutMs;
    const call = async (req: KubeRequest): Promise<KubeResponse> => {
      const res = await this.w.client.call(req, { deadline, signal });
      if (res.status === 401) throw this.w.client.unauthorized();
      return res;
    };
    this.stats.lists++;
    let changed = false;
    // Each item is normalized as its page arrives (raw objects are not kept). Unchanged objects keep
    // their normalized form (the same reference), which lets the incremental analysis see that
    // nothing it depends on changed.
    const { items, resourceVersion } = await listAll(this.w.client, this.r, { pageSize: this.w.pageSize, call }, (raw): [string, Entry] | null => {
      const key = keyOf(raw);
      if (key === null) return null;
      const rv = rvOf(raw);
      const prev = this.store.get(key);
      if (prev && prev.resourceVersion === rv && rv !== '') return [key, prev];
      changed = true;
      return [key, { resourceVersion: rv, normalized: this.w.normalize(raw) }];
    });
    const next = new Map(items);
    if (next.size !== this.store.size) changed = true;
    this.store = next;
    this.resourceVersion = resourceVersion;
    this.setGap(null);
    this.markSynced();
    if (changed) this.w.changed();
  }

  private async watch(signal: AbortSignal): Promise<void> {
    this.stats.watches++;
    const req: KubeRequest = {
      path: collectionPath(this.r),
      query: {
        watch: '1',
        resourceVersion: this.resourceVersion ?? undefined,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(this.w.watchTimeoutSeconds),
        fieldSelector: fieldSelectorOf(this.r),
      },
      accept: this.r.metadataOnly ? PARTIAL_OBJECT_ACCEPT : 'application/json',
    };
    await this.w.client.watch(req, (ev) => this.onEvent(ev), { signal, idleTimeoutMs: (this.w.watchTimeoutSeconds + 30) * 1000 });
  }

  private onEvent(ev: WatchEvent): void {
    this.stats.events++;
    if (!isObj(ev) || typeof ev.type !== 'string') throw new KubeApiError(`${collectionPath(this.r)}: a watch event has no type`, 200, 'BadResponse', true);
    if (ev.type === 'ERROR') {
      const st = isObj(ev.object) ? ev.object : {};
      const code = typeof st.code === 'number' ? st.code : 500;
      throw new KubeApiError(`${collectionPath(this.r)} watch: ${code} ${typeof st.message === 'string' ? st.message : 'error'}`, code, typeof st.reason === 'string' ? st.reason : String(code), code >= 500);
    }
    const rv = rvOf(ev.object);
    if (ev.type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    const raw = rawFromItem(this.r, ev.object);
    const key = raw ? keyOf(raw) : null;
    if (!raw || key === null) return;
    if (ev.type === 'DELETED') {
      if (this.store.delete(key)) this.w.changed();
    } else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
      const prev = this.store.get(key);
      if (!prev || prev.resourceVersion !== rv || rv === '') {
        this.store.set(key, { resourceVersion: rv, normalized: this.w.normalize(raw) });
        this.w.changed();
      }
    }
    if (rv) this.resourceVersion = rv;
  }
}

/**
 * Keeps a live snapshot of the cluster: an informer per resource of LIVE_RESOURCES, batching
 * changes (debounce) into a new Snapshot handed to onSnapshot. Runs until stop().
 */
export class ClusterWatcher {
  readonly client: KubeClient;
  readonly pageSize: number;
  readonly listTimeoutMs: number;
  readonly watchTimeoutSeconds: number;
  readonly resyncMs: number;
  private readonly debounceMs: number;
  private readonly maxBatchDelayMs: number;
  private readonly env: NormalizeEnv;
  private readonly informers: Informer[];
  private readonly controller = new AbortController();
  private running: Promise<void>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private pendingSince: number | null = null;
  private syncedCount = 0;
  private initialSent = false;
  private kubernetesVersion: string | null = null;
  private readonly source: string;
  private syncResolve: (() => void) | null = null;
  /** Resolves once every informer has listed its resource once (or recorded why it cannot). */
  readonly synced: Promise<void>;

  constructor(private readonly opts: WatcherOptions) {
    // One listener per informer on the stop signal (its sleep or stream): more than Node's default of 10.
    setMaxListeners(0, this.controller.signal);
    this.client = new KubeClient(opts.cluster, opts.client);
    this.pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
    this.listTimeoutMs = opts.listTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.watchTimeoutSeconds = opts.watchTimeoutSeconds ?? 300;
    this.resyncMs = opts.resyncMs ?? 60_000;
    this.debounceMs = opts.debounceMs ?? 200;
    this.maxBatchDelayMs = opts.maxBatchDelayMs ?? 1000;
    this.env = normalizeEnv(opts.defaultNamespace ?? 'default');
    this.informers = LIVE_RESOURCES.filter((r) => !(opts.skipSecrets && r.secret)).map((r) => new Informer(r, this));
    this.source = this.client.server.origin;
    this.synced = new Promise((resolve) => {
      this.syncResolve = resolve;
    });
  }

  /** Reads the server version (failing fast when the server cannot be reached), then starts every informer. */
  async start(): Promise<void> {
    try {
      const v = await this.client.json({ path: '/version' }, { deadline: Date.now() + this.listTimeoutMs, signal: this.controller.signal });
      if (isObj(v) && typeof v.gitVersion === 'string') this.kubernetesVersion = v.gitVersion;
    } catch (e) {
      if (!(e instanceof KubeApiError) || e.status === null || e.status === 401) {
        this.client.close();
        throw e;
      }
      this.warn(warning(ErrorCode.COVERAGE_ERROR, `cannot read the server version (${e.message})`));
    }
    this.running = this.informers.map((i) => i.run(this.controller.signal));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled(this.running);
    this.client.close();
  }

  /** Per-resource counts of lists, watches, events and 410 relists. */
  stats(): InformerStats[] {
    return this.informers.map((i) => ({ ...i.stats }));
  }

  backoff(failures: number): number {
    return Math.min(30_000, 500 * 2 ** Math.min(failures - 1, 6)) * (0.8 + 0.4 * Math.random());
  }

  normalize(raw: Obj): Normalized | null {
    const { normalized, problems } = normalizeObject(raw, this.env);
    for (const p of problems) this.warn(warning(p.code, p.message, null, null));
    return normalized;
  }

  warn(w: Warning): void {
    this.opts.onWarning?.(w);
  }

  informerSynced(): void {
    this.syncedCount++;
    if (this.syncedCount === this.informers.length) {
      this.syncResolve?.();
      this.flush();
    }
  }

  /** Something changed: build a batch after debounceMs of quiet, or maxBatchDelayMs at the latest. */
  changed(): void {
    if (!this.initialSent) return; // the initial sync sends everything at once
    const now = Date.now();
    this.pendingSince ??= now;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.pendingSince + this.maxBatchDelayMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    this.pendingSince = null;
    if (this.controller.signal.aborted) return;
    const initial = !this.initialSent;
    this.initialSent = true;
    this.opts.onSnapshot(this.snapshot(), { initial });
  }

  /** The current objects as a snapshot (the same form and hash a scan gives). */
  snapshot(): Snapshot {
    const b = new SnapshotBuilder();
    b.kubernetesVersion = this.kubernetesVersion;
    const secrets = new Map<string, Normalized>();
    const gaps = new Set<string>();
    for (const inf of this.informers) {
      // Two informers of one kind (secrets): the first gap in resource order is the recorded one.
      if (inf.gap && !gaps.has(inf.gap.kind)) {
        gaps.add(inf.gap.kind);
        b.addCoverageGap(inf.gap);
      }
      for (const [key, e] of inf.store) {
        if (!e.normalized) continue;
        // Secrets come from two informers: the token list carries the type the metadata list cannot.
        if (inf.r.kind === 'Secret') {
          if (!secrets.has(key) || inf.r.itemType) secrets.set(key, e.normalized);
          continue;
        }
        b.add(e.normalized, { file: `${this.source}${collectionPath(inf.r)}`, line: null });
      }
    }
    for (const key of [...secrets.keys()].sort()) b.add(secrets.get(key)!, { file: `${this.source}/api/v1/secrets`, line: null });
    if (this.opts.skipSecrets) {
      b.addCoverageGap({ kind: 'Secret', status: 'skipped', message: '--skip-secrets: secrets were not listed; secret reachability covers only secrets that pods reference' });
    }
    return b.build();
  }
}
