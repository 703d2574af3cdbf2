// Analysis.distanceField splits every search at cluster-admin (its field is cached, the rest is
// searched without passing it). The split must give exactly what one full reverse search gives.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../../src/analysis/analyze.js';
import { DEFAULT_MAX_HOPS, foundEdges, PathFinder, searchPaths, shortestEdgePath, stepsFromEdges } from '../../src/analysis/paths.js';
import { benchTempDir, generateCluster } from '../../src/bench/generate.js';
import { ingestPaths } from '../../src/ingest/files.js';

const dir = benchTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fullSearch(a: Analysis, to: string, maxHops: number): Int32Array {
  const g = a.built.compiled;
  const targets = to === 'nodes' ? g.ids.flatMap((id, i) => (id.startsWith('Node:') ? [i] : [])) : [g.indexOf.get(to)!];
  return g.distancesTo(targets, maxHops);
}

describe('distance fields split at cluster-admin', () => {
  const cases: [string, () => Analysis][] = [
    ['the demo cluster', () => analyze(ingestPaths(['fixtures/demo']).snapshot)],
    ['a generated cluster (small preset, seed 3)', () => {
      const file = generateCluster({ preset: 'small', seed: 3, file: join(dir, 'small.json') }).file;
      return analyze(ingestPaths([file]).snapshot);
    }],
  ];
  for (const [name, make] of cases) {
    it(`equal a full reverse search for every secret, subject and nodes, at several hop limits: ${name}`, () => {
      const a = make();
      const g = a.built.compiled;
      const targets = ['nodes', ...g.ids.filter((id) => /^(Secret|ServiceAccount|User|Group):/.test(id))];
      let viaAdmin = 0;
      for (const maxHops of [1, 2, 8]) {
        for (const to of targets) {
          const split = a.distanceField(to, maxHops)!;
          const full = fullSearch(a, to, maxHops);
          if (split[g.indexOf.get('cluster-admin')!] >= 0) viaAdmin++;
          // toEqual on 10^4-element arrays is slow; compare and report the first difference.
          const i = full.findIndex((d, k) => d !== split[k]);
          expect(i === -1 ? null : { to, maxHops, node: g.ids[i], full: full[i], split: split[i] }).toBeNull();
        }
      }
      expect(viaAdmin).toBeGreaterThan(0);
    });
  }

  it('gives the same paths as a search on the full field (secret-access on the demo cluster)', () => {
    const a = analyze(ingestPaths(['fixtures/demo']).snapshot);
    let readers = 0;
    for (const s of a.snapshot.secrets) {
      const full = searchPaths({ graph: a.built.compiled, starts: a.starts(), to: s.id, maxHops: DEFAULT_MAX_HOPS, limit: 1 });
      const split = a.secretReaders(s.id);
      expect(JSON.stringify(split)).toBe(JSON.stringify(full.paths.map((p) => ({ subject: p.from, length: p.length, steps: p.steps }))));
      readers += split.length;
    }
    expect(readers).toBeGreaterThan(0);
  });
});

describe('shortest paths of Analysis equal the per-start search', () => {
  const file = generateCluster({ preset: 'small', seed: 9, file: join(dir, 'small-9.json') }).file;
  const a = analyze(ingestPaths([file]).snapshot);
  const g = a.built.compiled;

  it('every reader of every secret, with a connected path as long as its distance', () => {
    let readers = 0;
    for (const secret of a.snapshot.secrets) {
      const dist = a.distanceField(secret.id, DEFAULT_MAX_HOPS)!;
      const full = searchPaths({ graph: g, starts: a.starts(), to: secret.id, maxHops: DEFAULT_MAX_HOPS, limit: 1 });
      const fast = a.secretReaders(secret.id);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(full.paths.map((p) => ({ subject: p.from, length: p.length, steps: p.steps }))));
      for (const r of fast) {
        expect(r.length).toBe(dist[g.indexOf.get(r.subject)!]);
        expect(r.steps[0].from).toBe(r.subject);
        expect(r.steps[r.steps.length - 1].to).toBe(secret.id);
        for (let k = 1; k < r.steps.length; k++) expect(r.steps[k].from).toBe(r.steps[k - 1].to);
      }
      readers += fast.length;
    }
    expect(readers).toBeGreaterThan(0);
  });

  it('paths to cluster-admin are the per-start ones, and asking twice gives equal, separate answers', () => {
    const full = searchPaths({ graph: g, starts: a.starts(), to: 'cluster-admin', maxHops: DEFAULT_MAX_HOPS, limit: 1 });
    const first = a.paths();
    expect(JSON.stringify(first)).toBe(JSON.stringify(full));
    first.paths[0].steps.pop();
    expect(JSON.stringify(a.paths())).toBe(JSON.stringify(full));
  });
});

describe('PathFinder (shared suffixes) gives the paths shortestEdgePath gives', () => {
  const file = generateCluster({ preset: 'small', seed: 5, file: join(dir, 'small-5.json') }).file;
  const clusters: [string, Analysis][] = [
    ['the demo cluster', analyze(ingestPaths(['fixtures/demo']).snapshot)],
    ['a generated cluster (small preset, seed 5)', analyze(ingestPaths([file]).snapshot)],
  ];
  for (const [name, a] of clusters) {
    it(`zero-length steps form no cycle (what PathFinder relies on): ${name}`, () => {
      const g = a.built.compiled;
      const state = new Uint8Array(g.nodeCount); // 0 new, 1 on the stack, 2 done
      const cycleFrom = (root: number): boolean => {
        const stack: [number, number][] = [[root, g.outStart[root]]];
        state[root] = 1;
        while (stack.length > 0) {
          const top = stack[stack.length - 1];
          const [u, k] = top;
          if (k >= g.outStart[u + 1]) {
            state[u] = 2;
            stack.pop();
            continue;
          }
          top[1]++;
          const e = g.outEdges[k];
          if (g.edgeWeight[e] !== 0) continue;
          const v = g.edgeDst[e];
          if (state[v] === 1) return true;
          if (state[v] === 0) {
            state[v] = 1;
            stack.push([v, g.outStart[v]]);
          }
        }
        return false;
      };
      for (let i = 0; i < g.nodeCount; i++) if (state[i] === 0) expect(cycleFrom(i)).toBe(false);
    });

    it(`for every start and every secret, node and cluster-admin target: ${name}`, () => {
      const g = a.built.compiled;
      const targets = ['cluster-admin', 'nodes', ...a.snapshot.secrets.map((s) => s.id)];
      let compared = 0;
      for (const to of targets) {
        const dist = a.distanceField(to, DEFAULT_MAX_HOPS)!;
        const isTarget = new Uint8Array(g.nodeCount);
        if (to === 'nodes') g.ids.forEach((id, i) => { if (id.startsWith('Node:')) isTarget[i] = 1; });
        else isTarget[g.indexOf.get(to)!] = 1;
        const finder = new PathFinder(g, dist, isTarget);
        const startsOnly = new PathFinder(g, dist, isTarget);
        for (const s of a.starts(true)) {
          const si = g.indexOf.get(s)!;
          if (isTarget[si]) continue;
          const plain = shortestEdgePath(g, dist, isTarget, si);
          expect(JSON.stringify(startsOnly.stepsFrom(si))).toBe(JSON.stringify(plain ? stepsFromEdges(g, plain) : null));
          const shared = finder.from(si);
          expect(shared ? foundEdges(shared) : null).toEqual(plain);
          if (plain) {
            expect(JSON.stringify(shared!.steps)).toBe(JSON.stringify(stepsFromEdges(g, plain)));
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(50);
    });
  }
});
