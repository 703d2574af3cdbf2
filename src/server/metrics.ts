// /metrics: Prometheus text exposition format (version 0.0.4).

import { OBJECT_COLLECTIONS } from '../snapshot/types.js';
import type { ServedSnapshot } from './state.js';

/** The watch event kinds, reported at 0 before the first of each (so that rate() sees them start). */
export const EVENT_KINDS = ['synced', 'path-added', 'path-removed', 'path-changed', 'secret-reader-added', 'secret-reader-removed'];

/** Informer counters of a watch (ClusterWatcher.stats()). */
export interface WatchCounters {
  resource: string;
  lists: number;
  watches: number;
  events: number;
  gone: number;
}

export interface MetricsInput {
  served: ServedSnapshot | null;
  /** Snapshots analysed since start. */
  analyses: number;
  /** Events published, by kind. */
  events: ReadonlyMap<string, number>;
  subscribers: number;
  subscribersDropped: number;
  /** HTTP answers, by route and status code. */
  requests: ReadonlyMap<string, number>;
  watch: WatchCounters[] | null;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'gauge' | 'counter', help: string, samples: [Record<string, string>, number][]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      this.lines.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? String(value) : 'NaN'}`);
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function renderMetrics(m: MetricsInput): string {
  const x = new Exposition();
  const s = m.served;
  x.metric('rbacgraph_ready', 'gauge', '1 once the first snapshot is analysed and queries are answered.', [[{}, s ? 1 : 0]]);
  if (s) {
    const snap = s.snapshot;
    x.metric('rbacgraph_snapshot_info', 'gauge', 'The snapshot queries are answered from (its content hash) and its Kubernetes version.', [
      [{ snapshot: snap.hash, kubernetes_version: snap.kubernetesVersion ?? '' }, 1],
    ]);
    x.metric('rbacgraph_snapshot_objects', 'gauge', 'Objects in the snapshot, by collection.', [
      ...OBJECT_COLLECTIONS.map((c): [Record<string, string>, number] => [{ collection: c }, snap[c].length]),
      [{ collection: 'awsAuth' }, snap.awsAuth ? 1 : 0],
    ]);
    x.metric('rbacgraph_snapshot_coverage_gaps', 'gauge', 'Kinds the snapshot is missing (forbidden, not served, failed or skipped).', [[{}, snap.coverage.length]]);
    x.metric('rbacgraph_paths_to_cluster_admin', 'gauge', 'Subjects (start points) with an escalation path to cluster-admin.', [[{}, s.pathsToClusterAdmin]]);
    x.metric('rbacgraph_analysis_duration_seconds', 'gauge', 'How long the analysis of the current snapshot took (with --watch: incremental analysis and comparison).', [[{}, s.analysisSeconds]]);
    x.metric('rbacgraph_snapshot_analysed_timestamp_seconds', 'gauge', 'When the current snapshot was analysed (Unix time).', [[{}, s.analysedAt / 1000]]);
  }
  x.metric('rbacgraph_analyses_total', 'counter', 'Snapshots analysed since start.', [[{}, m.analyses]]);
  const kinds = [...new Set([...EVENT_KINDS, ...m.events.keys()])];
  x.metric('rbacgraph_events_total', 'counter', 'Watch events emitted, by event.', kinds.map((k) => [{ event: k }, m.events.get(k) ?? 0]));
  x.metric('rbacgraph_event_subscribers', 'gauge', 'Open /api/v1/events streams.', [[{}, m.subscribers]]);
  x.metric('rbacgraph_event_subscribers_dropped_total', 'counter', 'Event streams closed because the client did not read.', [[{}, m.subscribersDropped]]);
  if (m.watch) {
    x.metric('rbacgraph_watch_lists_total', 'counter', 'Lists per resource (the initial list and every relist).', m.watch.map((w) => [{ resource: w.resource }, w.lists]));
    x.metric('rbacgraph_watch_relists_gone_total', 'counter', 'Relists forced by 410 Gone (an expired resourceVersion), per resource.', m.watch.map((w) => [{ resource: w.resource }, w.gone]));
    x.metric('rbacgraph_watch_streams_total', 'counter', 'Watch requests opened per resource.', m.watch.map((w) => [{ resource: w.resource }, w.watches]));
    x.metric('rbacgraph_watch_events_received_total', 'counter', 'Watch events received from the API server per resource (bookmarks included).', m.watch.map((w) => [{ resource: w.resource }, w.events]));
  }
  x.metric('rbacgraph_http_requests_total', 'counter', 'HTTP answers by route and status code.', [...m.requests.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, n]) => {
    const [route, code] = k.split(' ');
    return [{ route, code }, n];
  }));
  return x.text();
}
