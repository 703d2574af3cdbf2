// Duplicate edges keep the evidence that sorts first as joined text; compareEvidence decides the same without joining.
import { describe, expect, it } from 'vitest';
import { compareEvidence } from '../../src/graph/compiled.js';

const joined = (a: string[], b: string[]): number => {
  const x = a.join('\n');
  const y = b.join('\n');
  return x < y ? -1 : x > y ? 1 : 0;
};

describe('compareEvidence', () => {
  const ids = ['', 'a', 'ab', 'a\nb', 'b', 'a\u0000', 'a\tz', 'RoleBinding:x/y', 'Role:x/y', 'ClusterRole:z'];
  const lists: string[][] = [[]];
  for (const x of ids) {
    lists.push([x]);
    for (const y of ids) lists.push([x, y]);
  }

  it('orders every pair of lists as their newline-joined texts do', () => {
    for (const a of lists) for (const b of lists) expect([a, b, Math.sign(compareEvidence(a, b))]).toEqual([a, b, joined(a, b)]);
  });
});
