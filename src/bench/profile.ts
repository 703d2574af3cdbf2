// Summarizes a V8 CPU profile (.cpuprofile, as `node --cpu-prof` or the inspector writes it): where the time goes.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileRow {
  fn: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time spent in the function's own code. */
  self: ProfileRow[];
  /** Time spent in the function or anything it called (each function counted once per stack). */
  inclusive: ProfileRow[];
}

function frameKey(f: CallFrame, root: string): string {
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  let url = f.url.startsWith('file://') ? f.url.slice('file://'.length) : f.url;
  if (root && url.startsWith(root)) url = url.slice(root.length);
  return `${name} ${url}:${f.lineNumber + 1}`;
}

export function summarizeProfile(p: CpuProfile, top = 25, root = `${process.cwd()}/`): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; the time after it is the next delta.
  for (let i = 0; i < samples.length; i++) {
    const d = deltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, d));
  }
  let total = 0;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    total += us;
    const node = byId.get(id);
    if (!node) continue;
    const key = frameKey(node.callFrame, root);
    self.set(key, (self.get(key) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = frameKey(byId.get(cur)!.callFrame, root);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m.entries()]
      .filter(([k]) => k !== '(root)' && k !== '(program)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: total > 0 ? Math.round((1000 * us) / total) / 10 : 0 }));
  return { totalMs: Math.round(total / 1000), self: rows(self), inclusive: rows(incl) };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const lines = [`${title}: ${s.totalMs} ms sampled`, '  self time:'];
  for (const r of s.self) lines.push(`    ${String(r.ms).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.fn}`);
  lines.push('  inclusive time:');
  for (const r of s.inclusive) lines.push(`    ${String(r.ms).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.fn}`);
  return lines.join('\n');
}

// `node dist/bench/profile.js FILE.cpuprofile [TOP]`: print the summary of a profile.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSummary(file, summarizeProfile(p, Number(process.argv[3] ?? 25)))}\n`);
}
