// Test helpers for the report: run the real CLI with captured streams, and analyse the report fixtures.
import { analyze, type Analysis } from '../../src/analysis/analyze.js';
import { main } from '../../src/cli/main.js';
import { ingestPaths } from '../../src/ingest/files.js';

export const CLUSTER = 'test/fixtures/report/cluster';
export const CLEAN = 'test/fixtures/report/clean';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stdin: () => '',
    isTTY: false,
    env: {},
  });
  return { code, stdout, stderr };
}

export function analyzeFixture(path: string): Analysis {
  return analyze(ingestPaths([path], { defaultNamespace: 'default' }).snapshot);
}
