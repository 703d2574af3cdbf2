// Parity: every technique file is registered, documented, has fixtures, and its ID matches its file name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TECHNIQUES } from '../../src/analysis/techniques/index.js';
import { TECHNIQUE_IDS } from '../../src/graph/schema.js';

const files = readdirSync('src/analysis/techniques').filter((f) => f.endsWith('.ts') && f !== 'index.ts');
const kebab = (id: string): string => id.toLowerCase().replace(/_/g, '-');

describe('technique catalogue parity', () => {
  it('registers every technique file exactly once, sorted by ID', () => {
    expect(TECHNIQUES.map((t) => `${kebab(t.meta.id)}.ts`).sort()).toEqual([...files].sort());
    const ids = TECHNIQUES.map((t) => t.meta.id);
    expect(ids).toEqual([...ids].sort());
  });
  it('covers every technique ID of the interface', () => {
    expect(TECHNIQUES.map((t) => t.meta.id).sort()).toEqual([...TECHNIQUE_IDS].sort());
  });
  for (const t of TECHNIQUES) {
    describe(t.meta.id, () => {
      it('has metadata', () => {
        expect(t.meta.title.length).toBeGreaterThan(5);
        expect(t.meta.rationale.length).toBeGreaterThan(40);
        expect(t.meta.mitre).toMatch(/^T\d{4}(\.\d{3})?$/);
      });
      it('has a doc page with the fixed headings', () => {
        const page = `docs/techniques/${t.meta.id}.md`;
        expect(existsSync(page)).toBe(true);
        const text = readFileSync(page, 'utf8');
        expect(text).toMatch(new RegExp(`^---\\n(.|\\n)*id: ${t.meta.id}\\n`));
        for (const h of ['## Requires', '## Evidence', '## Not covered', '## Fix', '## Code']) expect(text).toContain(h);
      });
      it('has a fixture folder', () => {
        expect(existsSync(`test/fixtures/techniques/${t.meta.id}`)).toBe(true);
      });
    });
  }
});
