// Edges whose explanation is written on reading: the same text, and a plain edge when serialized.
import { describe, expect, it } from 'vitest';
import { LazyEdge } from '../../src/analysis/technique.js';

describe('LazyEdge', () => {
  const calls: string[] = [];
  const format = (ns: string, name: string): string => {
    calls.push(name);
    return `references secret ${ns}/${name}`;
  };

  it('writes its text only when read, each time the same', () => {
    const e = new LazyEdge('Pod:a/p', 'Secret:a/s', ['Pod:a/p'], format, 'a', 's');
    expect(calls).toEqual([]);
    expect(e.explanation).toBe('references secret a/s');
    expect(e.explanation).toBe('references secret a/s');
    expect(calls).toEqual(['s', 's']);
  });

  it('serializes as a plain edge (JSON.stringify sees no prototype getters)', () => {
    const e = new LazyEdge('Pod:a/p', 'Secret:a/s', ['Pod:a/p'], format, 'a', 's');
    expect(JSON.parse(JSON.stringify(e))).toEqual({ from: 'Pod:a/p', to: 'Secret:a/s', evidence: ['Pod:a/p'], explanation: 'references secret a/s' });
  });
});
