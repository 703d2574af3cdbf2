// deploy/deployment-serve.yaml: its serve arguments parse, and its exec probes do what their comments say against a real server.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { ingestPaths } from '../../src/ingest/files.js';
import { ApiServer } from '../../src/server/http.js';
import { ServedSnapshot } from '../../src/server/state.js';

interface Container {
  args: string[];
  readinessProbe: { exec: { command: string[] } };
  livenessProbe: { exec: { command: string[] } };
}

const container = (): Container => {
  const doc = parseAllDocuments(readFileSync('deploy/deployment-serve.yaml', 'utf8'))[0].toJS() as { spec: { template: { spec: { containers: Container[] } } } };
  return doc.spec.template.spec.containers[0];
};

/** Run a probe's command (node -e ...) against another port; resolves to its exit code. */
function probe(command: string[], port: number): Promise<number> {
  const [bin, ...args] = command;
  expect(bin).toBe('node');
  const rewritten = args.map((a) => a.replace('127.0.0.1:4000', `127.0.0.1:${port}`));
  return new Promise((resolve) => {
    execFile(process.execPath, rewritten, { timeout: 10_000 }, (err) => resolve(err ? (typeof err.code === 'number' ? err.code : 99) : 0));
  });
}

describe('deploy/deployment-serve.yaml', () => {
  it('runs serve --watch on loopback, and its probes ask that address and port', () => {
    const c = container();
    expect(c.args).toEqual(['serve', '--kubeconfig', 'in-cluster', '--watch', '--host', '127.0.0.1', '--port', '4000']);
    for (const p of [c.readinessProbe, c.livenessProbe]) expect(p.exec.command.join(' ')).toContain("'http://127.0.0.1:4000/healthz'");
  });

  it('readiness: fails before the first snapshot, passes after; liveness passes on any answer, fails with no server', async () => {
    const c = container();
    const server = new ApiServer({ host: '127.0.0.1', port: 0, token: null, log: () => undefined });
    const { port } = await server.listen();
    try {
      expect(await probe(c.readinessProbe.exec.command, port)).toBe(1);
      expect(await probe(c.livenessProbe.exec.command, port)).toBe(0);
      const { snapshot, warnings } = ingestPaths(['test/fixtures/live/cluster']);
      server.setSnapshot(new ServedSnapshot({ snapshot, analysis: analyze(snapshot), inputWarnings: warnings, pathsToClusterAdmin: 0, analysedAt: Date.now(), analysisSeconds: 0 }));
      expect(await probe(c.readinessProbe.exec.command, port)).toBe(0);
    } finally {
      await server.close();
    }
    expect(await probe(c.livenessProbe.exec.command, port)).toBe(1);
  });
});
