// Test helpers for the report: run the real CLI with captured streams, and analyse the report fixtures.
import { analyze, type Analysis } from '../../src/analysis/analyze.js';
import { runCli } from '../support/cli.js';
import { ingestPaths } from '../../src/ingest/files.js';

export const CLUSTER = 'test/fixtures/report/cluster';
export const CLEAN = 'test/fixtures/report/clean';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export const run = (...argv: string[]): Promise<Run> => runCli(argv);

export function analyzeFixture(path: string): Analysis {
  return analyze(ingestPaths([path], { defaultNamespace: 'default' }).snapshot);
}
