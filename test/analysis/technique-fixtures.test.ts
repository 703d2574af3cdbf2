// One runner for every technique fixture: test/fixtures/techniques/<ID>/<yes-…|no-…>/input/*.yaml + expected.json.
//
// expected.json lists the technique's edges, aggregates expanded to real nodes, as
// [{"from", "to", "evidence"}] sorted by (from, to). Evidence is compared only when the expected
// edge lists it. A `no-…` case expects []; a `yes-…` case at least one edge. With
// UPDATE_FIXTURES=1 the runner writes what it found instead (read the diff before committing).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { expandedEdges } from '../../src/analysis/edges.js';
import { ingestPaths } from '../../src/ingest/files.js';

const ROOT = 'test/fixtures/techniques';
const ids = existsSync(ROOT) ? readdirSync(ROOT).sort() : [];

interface Expected {
  from: string;
  to: string;
  evidence?: string[];
}

for (const id of ids) {
  const cases = readdirSync(join(ROOT, id)).filter((c) => !c.startsWith('.')).sort();
  describe(`technique ${id}`, () => {
    it('has at least one yes- and one no- case', () => {
      expect(cases.some((c) => c.startsWith('yes-'))).toBe(true);
      expect(cases.some((c) => c.startsWith('no-'))).toBe(true);
    });
    for (const c of cases) {
      it(c, () => {
        const dir = join(ROOT, id, c);
        expect(c.startsWith('yes-') || c.startsWith('no-')).toBe(true);
        const { snapshot, warnings } = ingestPaths([join(dir, 'input')]);
        expect(warnings.filter((w) => w.code === 'INPUT_PARSE' || w.code === 'INPUT_INVALID_OBJECT')).toEqual([]);
        const a = analyze(snapshot);
        expect(a.warnings.filter((w) => w.code === 'TECHNIQUE_FAILED')).toEqual([]);
        const found = expandedEdges(a.built.graph, { techniques: [id] }).map((e) => ({ from: e.from, to: e.to, evidence: e.evidence }));
        const file = join(dir, 'expected.json');
        if (process.env.UPDATE_FIXTURES === '1') writeFileSync(file, `${JSON.stringify(found, null, 2)}\n`);
        const expected = JSON.parse(readFileSync(file, 'utf8')) as Expected[];
        if (c.startsWith('no-')) expect(expected).toEqual([]);
        else expect(expected.length).toBeGreaterThan(0);
        expect(found.map((e) => `${e.from} -> ${e.to}`)).toEqual(expected.map((e) => `${e.from} -> ${e.to}`));
        expected.forEach((e, i) => {
          if (e.evidence) expect(found[i].evidence).toEqual(e.evidence);
        });
      });
    }
  });
}
